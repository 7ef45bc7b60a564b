package schedule

import (
	"fmt"
	"time"
)

// shiftKind classifies a transition by what it does to local wall time.
type shiftKind int

const (
	// noShift is a transition that changes only the abbreviation or DST
	// flag, not the offset (Europe/London's "BST" → "GMT" renames, say).
	noShift shiftKind = iota
	// gapShift is a forward shift: some wall times are skipped.
	gapShift
	// overlapShift is a backward shift: some wall times occur twice.
	overlapShift
)

// String returns "no-shift", "gap" or "overlap".
func (k shiftKind) String() string {
	switch k {
	case gapShift:
		return "gap"
	case overlapShift:
		return "overlap"
	case noShift:
		return "no-shift"
	}
	return fmt.Sprintf("shiftKind(%d)", int(k))
}

// change is one transition of a zone's state.
type change struct {
	At     time.Time // first instant of the new state, in the zone's location
	Before zoneState // state in effect until At
	After  zoneState // state in effect from At
}

// kind reports whether the transition opens a gap, an overlap or neither.
func (tr change) kind() shiftKind {
	switch {
	case tr.After.Seconds > tr.Before.Seconds:
		return gapShift
	case tr.After.Seconds < tr.Before.Seconds:
		return overlapShift
	}
	return noShift
}

// shift is the change of offset: positive for a gap, negative for an overlap.
func (tr change) shift() time.Duration {
	return time.Duration(tr.After.Seconds-tr.Before.Seconds) * time.Second
}

// String formats the transition as "2026-03-29T01:00:00Z +01:00 (CET) → +02:00 (CEST, DST)".
func (tr change) String() string {
	return fmt.Sprintf("%s %s → %s", tr.At.UTC().Format(time.RFC3339), tr.Before, tr.After)
}

// transitions returns the transitions of loc at instants in [from, to), in
// order. It walks them with time.Time.ZoneBounds, guarded against
// golang/go#81583 (ZoneBounds can return an end before the instant asked
// about, on 31 December of leap years with Go's bundled zoneinfo.zip) and
// against the artificial year-end bounds ZoneBounds reports for rule-based
// zones: every probe is strictly later than the one before, and only real
// changes of state are returned.
func transitions(loc *time.Location, from, to time.Time) ([]change, error) {
	if loc == nil {
		return nil, badInput("nil *time.Location")
	}
	if !from.Before(to) {
		return nil, badInput("empty window [%s, %s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	var out []change
	walkTransitions(loc, from.Add(-time.Nanosecond), to, func(tr change) bool {
		out = append(out, tr)
		return true
	})
	return out, nil
}

// walkTransitions calls fn for each change of loc's state at an instant in
// (after, limit), in order, until fn returns false.
func walkTransitions(loc *time.Location, after, limit time.Time, fn func(change) bool) {
	p := after.In(loc)
	for p.Before(limit) {
		c, ok := nextChange(p, limit)
		if !ok || !c.After(p) {
			return
		}
		if !fn(change{At: c, Before: offsetOf(c.Add(-time.Second)), After: offsetOf(c)}) {
			return
		}
		p = c // c > p: strict progress
	}
}

// nextChange returns the first whole second c with p < c < limit at which
// the state of p's location differs from its state at c−1s.
func nextChange(p, limit time.Time) (time.Time, bool) {
	loc := p.Location()
	cur := offsetOf(p)
	for p.Before(limit) {
		_, end := p.ZoneBounds()
		if end.IsZero() {
			return time.Time{}, false // this state goes on forever
		}
		if !end.After(p) {
			// golang/go#81583: the end lies at or before p. Probe one day
			// ahead instead and let the checks below find any change.
			end = p.Add(24 * time.Hour)
		}
		if end.After(limit) {
			end = limit.In(loc)
		}
		// Trust ZoneBounds only as far as the states agree: a change before
		// end (an end reported too late) is found by bisection.
		last := end.Add(-time.Second)
		if last.After(p) && offsetOf(last) != cur {
			return bisect(p, last, cur), true
		}
		if offsetOf(end) != cur {
			switch {
			case !end.Before(limit):
				return time.Time{}, false
			case end.Nanosecond() == 0 && last.After(p):
				return end, true // the usual case: end is the transition
			}
			return bisect(p, end, cur), true
		}
		p = end // an artificial bound (year end) or the limit: move on
	}
	return time.Time{}, false
}

// bisect returns the first whole second in (lo, hi] whose state differs
// from cur, given that the state at lo is cur and the state at hi is not.
func bisect(lo, hi time.Time, cur zoneState) time.Time {
	loc := lo.Location()
	l, h := lo.Unix(), hi.Unix() // a state is that of its whole second
	for h-l > 1 {
		m := l + (h-l)/2
		if offsetOf(time.Unix(m, 0).In(loc)) == cur {
			l = m
		} else {
			h = m
		}
	}
	return time.Unix(h, 0).In(loc)
}
