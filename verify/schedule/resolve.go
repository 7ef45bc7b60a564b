package schedule

import (
	"fmt"
	"sort"
	"time"
)

// Policy says which instant a wall time in a gap or an overlap resolves to,
// with the names and meanings of TC39 Temporal's "disambiguation" option
// (Compatible, Earlier, Later, Reject), and, for Rezone, what to trust when
// a stored offset disagrees with new zone rules, after Temporal's "offset"
// option (UseOffset, PreferOffset; the four others there mean "ignore").
// Its value is its name; the zero value "" means Compatible.
type Policy string

const (
	// Compatible resolves a gap to the later instant (the wall time moved
	// forward by the gap's length) and an overlap to the earlier occurrence.
	// It is what most calendar software does.
	Compatible Policy = "compatible"
	// Earlier resolves a gap to the wall time moved back by the gap's length
	// and an overlap to the first occurrence.
	Earlier Policy = "earlier"
	// Later resolves a gap to the wall time moved forward by the gap's
	// length and an overlap to the second occurrence.
	Later Policy = "later"
	// Reject returns a *LocalTimeError for any gap or overlap (and, in
	// Rezone, an error wrapping ErrOffset for a stored offset that no longer
	// matches).
	Reject Policy = "reject"
	// SkipGap is what most cron implementations document: a wall time in a
	// gap does not happen (a *LocalTimeError wrapping ErrGap, so
	// CheckScheduler expects no occurrence that day), one in an overlap
	// happens once, at its first occurrence.
	SkipGap Policy = "skip-gap"
	// UseOffset keeps a stored event's instant when its offset no longer
	// matches, so that its wall time moves (Temporal's offset: "use").
	// Only Rezone accepts it.
	UseOffset Policy = "use-offset"
	// PreferOffset keeps the stored offset while it is still one the zone
	// gives for the wall time (either side of an overlap), else resolves
	// the wall time as Compatible (Temporal's offset: "prefer"). Only Rezone
	// accepts it.
	PreferOffset Policy = "prefer-offset"
)

// disambiguation returns p as one of the four disambiguation policies.
func (p Policy) disambiguation() (Policy, error) {
	switch p {
	case "":
		return Compatible, nil
	case Compatible, Earlier, Later, Reject, SkipGap:
		return p, nil
	case UseOffset, PreferOffset:
		return "", badInput("policy %s applies only to Rezone", p)
	}
	return "", badInput("unknown policy %q", string(p))
}

// Resolve returns the instant at which loc's clocks show w, choosing by p
// when w falls in a gap or an overlap. Unlike time.Date, whose choice in
// those cases depends on which side of UTC the zone lies, the result is
// always the one p names. With Reject, a gap or overlap is returned as a
// *LocalTimeError (wrapping ErrGap or ErrOverlap) that names the zone, the
// wall time and both offsets. The returned time is in loc.
func Resolve(w Wall, loc *time.Location, p Policy) (time.Time, error) {
	if loc == nil {
		return time.Time{}, badInput("nil *time.Location")
	}
	p, err := p.disambiguation()
	if err != nil {
		return time.Time{}, err
	}
	if err := w.validate(); err != nil {
		return time.Time{}, err
	}
	t, lerr, err := lookup(w, loc)
	if err != nil {
		return time.Time{}, err
	}
	if lerr == nil {
		return t, nil
	}
	switch {
	case p == Reject, p == SkipGap && lerr.kind == gapShift:
		return time.Time{}, lerr
	case p == Earlier, p == SkipGap, p == Compatible && lerr.kind == overlapShift:
		return lerr.Earlier, nil
	default:
		return lerr.Later, nil
	}
}

// lookup returns the single instant showing w in loc, or a *LocalTimeError
// for a gap or overlap; err is set only for inconsistent zone data.
func lookup(w Wall, loc *time.Location) (t time.Time, lerr *LocalTimeError, err error) {
	base := w.naive() // w read as UTC: base − offset is the instant
	// Fast path: guess the offset, and accept the result when its zone
	// period extends more than 30h either side (offsets differ by at most
	// 26h, so no other state can show w). ZoneBounds errs only towards
	// shorter periods, which just sends us down the slow path.
	_, off := base.In(loc).Zone()
	c := base.Add(-time.Duration(off) * time.Second).In(loc)
	if _, off2 := c.Zone(); off2 == off {
		s, e := c.ZoneBounds()
		if (s.IsZero() || c.Sub(s) > 30*time.Hour) && (e.IsZero() || e.Sub(c) > 30*time.Hour) {
			return c, nil, nil
		}
	}
	// Offsets are within ±26h in all tzdata; a ±30h window of instants
	// around base holds every state that could show w.
	from, to := base.Add(-30*time.Hour), base.Add(30*time.Hour)
	states := []zoneState{offsetOf(from.In(loc))}
	var trs []change
	walkTransitions(loc, from, to, func(tr change) bool {
		trs = append(trs, tr)
		states = append(states, tr.After)
		return true
	})
	var cands []time.Time
	seen := map[int]bool{}
	for _, st := range states {
		if seen[st.Seconds] {
			continue
		}
		seen[st.Seconds] = true
		c := base.Add(-time.Duration(st.Seconds) * time.Second).In(loc)
		if offsetOf(c).Seconds == st.Seconds {
			cands = append(cands, c)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Before(cands[j]) })
	switch {
	case len(cands) == 1:
		return cands[0], nil, nil
	case len(cands) > 1:
		earlier, later := cands[0], cands[len(cands)-1]
		var at time.Time
		for _, tr := range trs {
			if tr.At.After(earlier) && !tr.At.After(later) {
				at = tr.At.UTC()
				break
			}
		}
		return time.Time{}, newLocalTimeError(overlapShift, loc, w, at, offsetOf(earlier), offsetOf(later), earlier, later), nil
	}
	for _, tr := range trs {
		b, a := time.Duration(tr.Before.Seconds)*time.Second, time.Duration(tr.After.Seconds)*time.Second
		if tr.kind() == gapShift && !base.Add(-b).Before(tr.At) && base.Add(-a).Before(tr.At) {
			return time.Time{}, newLocalTimeError(gapShift, loc, w, tr.At.UTC(), tr.Before, tr.After,
				base.Add(-a).In(loc), base.Add(-b).In(loc)), nil
		}
	}
	// Unreachable with consistent tzdata; say so rather than guess.
	return time.Time{}, nil, fmt.Errorf("%w: zone data for %s shows neither an instant nor a gap for %s", ErrBadInput, loc, w)
}
