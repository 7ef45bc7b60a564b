package schedule

import (
	"cmp"
	"errors"
	"slices"
	"sort"
	"time"
)

// maxOccurrences bounds a CheckScheduler walk, so that a next function that
// returns times one nanosecond apart cannot run forever.
const maxOccurrences = 1 << 20

// CheckScheduler walks a scheduler over [from, to) and compares it with what
// rule r gives under policy p. next(after) must return the first occurrence
// strictly after after. Each local date with an occurrence is a slot whose
// instant is Resolve(date at the rule's time, zone, p); under Reject, dates
// whose time falls in a gap or overlap have no occurrence. When a skipped
// day makes two dates resolve to one instant, one occurrence serves both. The report lists
// slots skipped, served twice or served at the wrong instant, occurrences
// for empty slots, and a next that does not move forward: one "stuck"
// finding with the slot it should have returned, after which the walk
// resumes from that slot, or stops if next is stuck there too (the slots
// after it are then not reported as skipped). Each interval the walk
// served correctly (next(a) returned the first slot after a) is probed:
// next is also called from instants in it that the scheduler never
// returned (see probe) and must return the same slot; a wrong answer is
// one wrong-time finding for that slot with the argument in After, and
// answers that go back in time are one stuck finding in all, none when the
// walk got stuck itself. The error wraps ErrSchedule, listing the first findings,
// when there are any (the report has them all); it is bad input otherwise,
// with a nil report.
func CheckScheduler(next func(after time.Time) time.Time, r Rule, p Policy, from, to time.Time) (*Report, error) {
	if next == nil {
		return nil, badInput("nil next function")
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	p, err := p.disambiguation()
	if err != nil {
		return nil, err
	}
	if !from.Before(to) {
		return nil, badInput("empty window [%s, %s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	slots, err := r.slots(p, from, to)
	if err != nil {
		return nil, err
	}
	rep := &Report{Rule: r, Policy: p}
	byInstant := map[int64]*slot{}
	for _, s := range slots {
		if !s.want.IsZero() {
			byInstant[s.want.UnixNano()] = s
		}
	}
	var strays []time.Time
	var probeStuck *Finding // the first stuck answer of a probe
	end := to               // slots from here on were never reached: not skipped
	resumed := false
	for t := from.Add(-time.Nanosecond); ; {
		n := next(t)
		if !n.After(t) {
			// One fault, one finding: the slot next should have returned,
			// then resume from it. Stuck again right there: stuck for
			// good, and the later slots are not findings of their own.
			s := firstAfter(slots, t)
			if resumed {
				end = t
				break
			}
			f := Finding{Kind: stuck, Got: n.In(r.Zone), After: t}
			if s == nil || !s.want.Before(to) {
				rep.Findings = append(rep.Findings, f)
				break
			}
			f.Slot, f.Want, s.wrong = s.wall, s.want, true
			rep.Findings = append(rep.Findings, f)
			t, resumed = s.want, true
			continue
		}
		if !n.Before(to) || rep.Occurrences == maxOccurrences {
			break
		}
		rep.Occurrences++
		prev := t
		t, resumed = n, false
		if s := byInstant[n.UnixNano()]; s != nil {
			s.hits++
			if s.hits > 1 {
				rep.Findings = append(rep.Findings, Finding{Kind: doubled, Slot: s.wall, Want: s.want, Got: n.In(r.Zone)})
			} else if firstAfter(slots, prev) == s {
				if f := probe(next, r.Zone, prev, s); f != nil && f.Kind == stuck {
					probeStuck = cmp.Or(probeStuck, f)
				} else if f != nil {
					rep.Findings = append(rep.Findings, *f)
				}
			}
			continue
		}
		strays = append(strays, n)
	}
	// A stuck probe is one fault however many probes meet it, and none of
	// its own when the walk got stuck already.
	if probeStuck != nil && rep.count(stuck) == 0 {
		rep.Findings = append(rep.Findings, *probeStuck)
	}
	for _, n := range strays {
		s := nearest(slots, n)
		switch {
		case s == nil || s.want.IsZero():
			f := Finding{Kind: unexpected, Got: n.In(r.Zone)}
			if s != nil {
				f.Slot = s.wall
			}
			rep.Findings = append(rep.Findings, f)
		case s.hits == 0 && !s.wrong:
			s.wrong = true
			rep.Findings = append(rep.Findings, Finding{Kind: wrongTime, Slot: s.wall, Want: s.want, Got: n.In(r.Zone)})
		default:
			rep.Findings = append(rep.Findings, Finding{Kind: doubled, Slot: s.wall, Want: s.want, Got: n.In(r.Zone)})
		}
	}
	for _, s := range slots {
		if !s.want.IsZero() && s.want.Before(end) && s.hits == 0 && !s.wrong {
			rep.Findings = append(rep.Findings, Finding{Kind: skipped, Slot: s.wall, Want: s.want})
		}
	}
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		return findingTime(rep.Findings[i]).Before(findingTime(rep.Findings[j]))
	})
	return rep, rep.err()
}

func findingTime(f Finding) time.Time {
	if !f.Want.IsZero() {
		return f.Want
	}
	return f.Got
}

// slots lists the intended occurrences whose nominal instant is in [from, to).
func (r Rule) slots(p Policy, from, to time.Time) ([]*slot, error) {
	var out []*slot
	start := wallOf(from.In(r.Zone)).date().naive().AddDate(0, 0, -1)
	for d := start; ; d = d.AddDate(0, 0, 1) {
		if r.Day != 0 && d.Day() != r.Day || len(r.Weekdays) > 0 && !slices.Contains(r.Weekdays, d.Weekday()) {
			continue
		}
		w := wallOf(d)
		w.Hour, w.Minute, w.Second = r.Hour, r.Minute, r.Second
		nominal, err := Resolve(w, r.Zone, Compatible)
		if err != nil {
			return nil, err
		}
		if !nominal.Before(to) {
			return out, nil
		}
		want, err := Resolve(w, r.Zone, p)
		var lerr *LocalTimeError
		if err != nil && !errors.As(err, &lerr) {
			return nil, err
		}
		if nominal.Before(from) && (want.IsZero() || want.Before(from)) {
			continue
		}
		if n := len(out); n > 0 && !want.IsZero() && out[n-1].want.Equal(want) {
			continue // a day-long gap (Pacific/Apia 2011-12-30) maps two dates to one instant
		}
		out = append(out, &slot{wall: w, want: want, nominal: nominal})
	}
}

// firstAfter returns the first slot with an instant after t, or nil.
func firstAfter(slots []*slot, t time.Time) *slot {
	for _, s := range slots {
		if !s.want.IsZero() && s.want.After(t) {
			return s
		}
	}
	return nil
}

// nearest returns the slot whose nominal instant is closest to t.
func nearest(slots []*slot, t time.Time) *slot {
	i := sort.Search(len(slots), func(i int) bool { return !slots[i].nominal.Before(t) })
	var best *slot
	for _, j := range []int{i - 1, i} {
		if j < 0 || j >= len(slots) {
			continue
		}
		if best == nil || absDur(slots[j].nominal.Sub(t)) < absDur(best.nominal.Sub(t)) {
			best = slots[j]
		}
	}
	return best
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
