package schedule

import (
	"slices"
	"time"
)

// probe calls next from instants in (lo, s.want) other than the ones the
// walk passes, after the walk's next(lo) returned s.want, the first slot
// after lo: one nanosecond after lo and before the slot, half a second
// before it (a rounding scheduler), halfway, the local midnight of the
// slot's date and every transition of the zone in between, each with the
// instants 1 ns either side, each in the rule's zone and in UTC. Every one
// must return s.want. Probing only intervals the walk served correctly
// keeps one fault one finding: a skipped or stray slot is the walk's
// finding already. It returns the first wrong answer as a finding (stuck
// when next did not move forward), or nil.
func probe(next func(time.Time) time.Time, zone *time.Location, lo time.Time, s *slot) *Finding {
	for _, p := range probePoints(zone, lo, s.want) {
		for _, in := range []*time.Location{zone, time.UTC} {
			a := p.In(in)
			n := next(a)
			if n.Equal(s.want) {
				continue
			}
			f := &Finding{Kind: wrongTime, Slot: s.wall, Want: s.want, Got: n.In(zone), After: a}
			if !n.After(a) {
				f.Kind = stuck
			}
			return f
		}
	}
	return nil
}

// probePoints returns the probe instants in (lo, hi), in order.
func probePoints(zone *time.Location, lo, hi time.Time) []time.Time {
	var ps []time.Time
	add := func(p time.Time) {
		if p.After(lo) && p.Before(hi) {
			ps = append(ps, p)
		}
	}
	edge := func(e time.Time) {
		add(e.Add(-time.Nanosecond))
		add(e)
		add(e.Add(time.Nanosecond))
	}
	add(lo.Add(time.Nanosecond))
	add(lo.Add(hi.Sub(lo) / 2))
	add(hi.Add(-time.Second / 2))
	add(hi.Add(-time.Nanosecond))
	if start, _, err := dayStart(wallOf(hi.In(zone)), zone); err == nil {
		edge(start)
	}
	walkTransitions(zone, lo, hi, func(c change) bool {
		edge(c.At)
		return true
	})
	slices.SortFunc(ps, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(ps, time.Time.Equal)
}
