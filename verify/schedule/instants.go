package schedule

import (
	"sort"
	"time"
)

// Classes of interesting instants: why a "now" at that instant is worth
// testing. They name the failure groups of a sweep (FailureGroup.Class).
const (
	beforeTransition = "transition-1s"    // one second before a transition
	atTransition     = "transition"       // the first instant of a transition's new state
	afterTransition  = "transition+1s"    // one second after a transition
	utcMidnight      = "utc-midnight"     // 00:00:00 UTC
	localMidnight    = "local-midnight"   // 00:00:00 local time
	missingMidnight  = "missing-midnight" // the first instant of a local day whose 00:00 is in a gap
	windowStart      = "window-start"     // the start of the window
)

// classRank orders classes for dedupe: a missing midnight is always also
// a transition, and the more specific name wins; otherwise the order above.
var classRank = map[string]int{missingMidnight: 0, beforeTransition: 1, atTransition: 2, afterTransition: 3,
	int32Limit: 4, leapDay: 5, yearEnd: 6, yearStart: 7, monthEnd: 8, monthStart: 9,
	utcMidnight: 10, localMidnight: 11, utcMidnightBefore: 12, utcMidnightAfter: 13,
	localMidnightBefore: 14, localMidnightAfter: 15, subSecond: 16, windowStart: 17}

// instant is one interesting instant of a zone.
type instant struct {
	At    time.Time // in the zone's location
	Class string
}

// Instants returns the interesting instants of loc in [from, to), sorted and
// without duplicates, in loc: each transition and the seconds on either
// side of it, each UTC midnight, and the start of each local day (its
// midnight, or the first instant after a gap that swallowed it). They are
// the "now" values worth running a time-dependent check at, for example
// inside a testing/synctest bubble with time.Sleep(time.Until(t)). The list
// has about two entries a day.
func Instants(loc *time.Location, from, to time.Time) ([]time.Time, error) {
	ins, err := classified(loc, from, to)
	out := make([]time.Time, len(ins))
	for i, in := range ins {
		out[i] = in.At
	}
	return out, err
}

// classified is Instants with the class of each instant. An instant that
// is both (a UTC and a local midnight) is listed once, with the class that
// ranks first in classRank.
func classified(loc *time.Location, from, to time.Time) ([]instant, error) {
	if loc == nil {
		return nil, badInput("nil *time.Location")
	}
	if !from.Before(to) {
		return nil, badInput("empty window [%s, %s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	var out []instant
	add := func(t time.Time, c string) {
		if !t.Before(from) && t.Before(to) {
			out = append(out, instant{t.In(loc), c})
		}
	}
	walkTransitions(loc, from.Add(-time.Second), to.Add(time.Second), func(tr change) bool {
		add(tr.At.Add(-time.Second), beforeTransition)
		add(tr.At, atTransition)
		add(tr.At.Add(time.Second), afterTransition)
		return true
	})
	fu := from.UTC()
	for d := time.Date(fu.Year(), fu.Month(), fu.Day(), 0, 0, 0, 0, time.UTC); d.Before(to); d = d.AddDate(0, 0, 1) {
		add(d, utcMidnight)
	}
	fl := wallOf(from.In(loc)).date()
	for d := fl.naive(); ; d = d.AddDate(0, 0, 1) {
		t, c, err := dayStart(wallOf(d), loc)
		if err != nil || !t.Before(to) {
			break
		}
		add(t, c)
	}
	return dedupe(out), nil
}

// dayStart returns the first instant of the local date of w in loc and
// whether it is a real midnight.
func dayStart(w Wall, loc *time.Location) (time.Time, string, error) {
	t, lerr, err := lookup(w.date(), loc)
	switch {
	case err != nil:
		return time.Time{}, "", err
	case lerr == nil:
		return t, localMidnight, nil
	case lerr.kind == overlapShift:
		return lerr.Earlier, localMidnight, nil
	}
	return lerr.Transition.In(loc), missingMidnight, nil
}

func dedupe(in []instant) []instant {
	sort.SliceStable(in, func(i, j int) bool { return in[i].At.Before(in[j].At) })
	out := in[:0]
	for _, x := range in {
		if len(out) > 0 && out[len(out)-1].At.Equal(x.At) {
			if classRank[x.Class] < classRank[out[len(out)-1].Class] {
				out[len(out)-1].Class = x.Class
			}
			continue
		}
		out = append(out, x)
	}
	return out
}
