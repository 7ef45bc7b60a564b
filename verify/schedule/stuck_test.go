package schedule

import (
	"testing"
	"time"
)

// TestCheckScheduleStuckOnceOneFinding: a scheduler stuck from one day's
// instants only is one fault: one finding, with the slot it should have
// returned, and a fault later in the window is still found.
func TestCheckScheduleStuckOnceOneFinding(t *testing.T) {
	loc := mustZone(t, "Europe/Berlin")
	r := daily(loc, 9, 0, 0)
	ok := correct(r, Compatible)
	stuckFrom, stuckTo := time.Date(2026, 6, 10, 0, 0, 0, 0, loc), time.Date(2026, 6, 10, 12, 0, 0, 0, loc)
	wrongDay := time.Date(2026, 9, 1, 0, 0, 0, 0, loc)
	next := func(after time.Time) time.Time {
		if !after.Before(stuckFrom) && after.Before(stuckTo) {
			return after
		}
		n := ok(after)
		if n.Equal(wrongDay.Add(9 * time.Hour)) {
			return n.Add(time.Minute)
		}
		return n
	}
	rep := check(t, next, r, Compatible, year2026[0], year2026[1])
	if len(rep.Findings) != 2 || rep.count(stuck) != 1 || rep.count(wrongTime) != 1 {
		t.Fatalf("%d findings, want one stuck and one wrong-time: %v", len(rep.Findings), rep.err())
	}
	f := rep.Findings[0]
	want := time.Date(2026, 6, 11, 9, 0, 0, 0, loc) // June 10 was served; next(June 10 09:00) is stuck
	if f.Kind != stuck || f.Slot != wallOf(want) || !f.Want.Equal(want) {
		t.Errorf("stuck finding %s, want slot %s want %s", f.describe(), wallOf(want), want.Format(time.RFC3339))
	}
}

// TestCheckScheduleStuckForGood: a scheduler stuck everywhere is one
// finding at the first slot, not one per later slot skipped.
func TestCheckScheduleStuckForGood(t *testing.T) {
	loc := mustZone(t, "Europe/Berlin")
	rep := check(t, func(after time.Time) time.Time { return after }, daily(loc, 9, 0, 0), Compatible, year2026[0], year2026[1])
	want := time.Date(2026, 1, 1, 9, 0, 0, 0, loc)
	if len(rep.Findings) != 1 || rep.Findings[0].Slot != wallOf(want) || !rep.Findings[0].Want.Equal(want) {
		t.Fatalf("%d findings, want one stuck at %s: %v", len(rep.Findings), want, rep.err())
	}
}
