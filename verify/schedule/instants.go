package schedule

import (
	"fmt"
	"sort"
	"time"
)

// Boundary classifies an interesting instant: why a "now" at that instant
// is worth testing.
type Boundary int

const (
	// BeforeTransition is one second before a transition.
	BeforeTransition Boundary = iota + 1
	// AtTransition is the first instant of a transition's new state.
	AtTransition
	// AfterTransition is one second after a transition.
	AfterTransition
	// UTCMidnight is 00:00:00 UTC.
	UTCMidnight
	// LocalMidnight is 00:00:00 local time.
	LocalMidnight
	// MissingMidnight is the first instant of a local day whose 00:00 falls
	// in a gap (America/Sao_Paulo's DST started at midnight until 2019).
	MissingMidnight
	// WindowStart is the start of the window, used so that zones without
	// transitions are still exercised.
	WindowStart
)

var boundaryNames = [...]string{"", "transition-1s", "transition", "transition+1s",
	"utc-midnight", "local-midnight", "missing-midnight", "window-start"}

// String returns a short name such as "transition-1s" or "local-midnight".
func (b Boundary) String() string {
	if b > 0 && int(b) < len(boundaryNames) {
		return boundaryNames[b]
	}
	return fmt.Sprintf("Boundary(%d)", int(b))
}

// Instant is one interesting instant of a zone.
type Instant struct {
	At    time.Time // in the zone's location
	Class Boundary
}

// Instants returns the interesting instants of loc in [from, to), sorted and
// without duplicates (an instant that is both a UTC midnight and a local
// midnight is listed once, with the first class in the order above, except
// that MissingMidnight wins over AtTransition): each
// transition and the seconds on either side of it, each UTC midnight, and
// the start of each local day (its midnight, or the first instant after a
// gap that swallowed it). The list has about two entries a day; for long
// windows prefer the transition days only, as Sweep does.
func Instants(loc *time.Location, from, to time.Time) ([]Instant, error) {
	if loc == nil {
		return nil, badInput("nil *time.Location")
	}
	if !from.Before(to) {
		return nil, badInput("empty window [%s, %s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	var out []Instant
	add := func(t time.Time, c Boundary) {
		if !t.Before(from) && t.Before(to) {
			out = append(out, Instant{t.In(loc), c})
		}
	}
	walkTransitions(loc, from.Add(-time.Second), to.Add(time.Second), func(tr Transition) bool {
		add(tr.At.Add(-time.Second), BeforeTransition)
		add(tr.At, AtTransition)
		add(tr.At.Add(time.Second), AfterTransition)
		return true
	})
	fu := from.UTC()
	for d := time.Date(fu.Year(), fu.Month(), fu.Day(), 0, 0, 0, 0, time.UTC); d.Before(to); d = d.AddDate(0, 0, 1) {
		add(d, UTCMidnight)
	}
	fl := WallOf(from.In(loc)).date()
	for d := fl.naive(); ; d = d.AddDate(0, 0, 1) {
		t, c, err := dayStart(WallOf(d), loc)
		if err != nil || !t.Before(to) {
			break
		}
		add(t, c)
	}
	return dedupe(out), nil
}

// dayStart returns the first instant of the local date of w in loc and
// whether it is a real midnight.
func dayStart(w Wall, loc *time.Location) (time.Time, Boundary, error) {
	t, lerr, err := lookup(w.date(), loc)
	switch {
	case err != nil:
		return time.Time{}, 0, err
	case lerr == nil:
		return t, LocalMidnight, nil
	case lerr.Kind == Overlap:
		return lerr.Earlier, LocalMidnight, nil
	}
	return lerr.Transition.In(loc), MissingMidnight, nil
}

// sweepInstants returns the "now" values Sweep uses for loc: the window
// start (with its UTC and local midnights) and, for every transition in the
// window, the transition ±1s, the UTC midnight before it, and the starts of
// the local days on either side of it.
func sweepInstants(loc *time.Location, from, to time.Time) []Instant {
	var out []Instant
	add := func(t time.Time, c Boundary) {
		if !t.Before(from) && t.Before(to) {
			out = append(out, Instant{t.In(loc), c})
		}
	}
	midnights := func(t time.Time) {
		u := t.UTC()
		add(time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC), UTCMidnight)
		if s, c, err := dayStart(WallOf(t), loc); err == nil {
			add(s, c)
		}
	}
	add(from, WindowStart)
	midnights(from.In(loc))
	walkTransitions(loc, from.Add(-time.Second), to.Add(time.Second), func(tr Transition) bool {
		add(tr.At.Add(-time.Second), BeforeTransition)
		add(tr.At, AtTransition)
		add(tr.At.Add(time.Second), AfterTransition)
		midnights(tr.At.Add(-time.Second))
		midnights(tr.At)
		return true
	})
	return dedupe(out)
}

// rank orders classes for dedupe: a missing midnight is always also a
// transition, and the more specific name wins.
func rank(c Boundary) int {
	if c == MissingMidnight {
		return 0
	}
	return int(c)
}

func dedupe(in []Instant) []Instant {
	sort.SliceStable(in, func(i, j int) bool { return in[i].At.Before(in[j].At) })
	out := in[:0]
	for _, x := range in {
		if len(out) > 0 && out[len(out)-1].At.Equal(x.At) {
			if rank(x.Class) < rank(out[len(out)-1].Class) {
				out[len(out)-1].Class = x.Class
			}
			continue
		}
		out = append(out, x)
	}
	return out
}
