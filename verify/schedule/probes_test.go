package schedule

import (
	"testing"
	"time"
)

// ownCalendar is a scheduler of a daily rule that reads the date from
// after's own Location instead of the rule's zone, trying that date's slot
// and the next: right whenever it is called with an instant in the rule's
// zone (every instant it returns), wrong from an instant in UTC whose UTC
// date is already the next local one.
func ownCalendar(r Rule) func(time.Time) time.Time {
	return func(after time.Time) time.Time {
		for d := 0; ; d++ {
			t := time.Date(after.Year(), after.Month(), after.Day()+d, r.Hour, r.Minute, r.Second, 0, r.Zone)
			if t.After(after) {
				return t
			}
		}
	}
}

// roundingNext rounds after to the second (as a Unix-seconds conversion
// with rounding does) before asking a correct scheduler: right from every
// whole second, so from every instant it returns, and one slot late from
// the last half second before a slot.
func roundingNext(r Rule) func(time.Time) time.Time {
	ok := correct(r, Compatible)
	return func(after time.Time) time.Time { return ok(after.Round(time.Second)) }
}

// TestCheckSchedulerProbesOtherStarts: bugs reachable only from instants
// the scheduler never returns are found, once per slot, with the slot the
// call should have returned and the argument that shows the fault.
func TestCheckSchedulerProbesOtherStarts(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	r := daily(ny, 22, 0, 0)
	rep := check(t, ownCalendar(r), r, Compatible, year2026[0], year2026[1])
	if rep.Occurrences != 365 || len(rep.Findings) != 365 || rep.count(wrongTime) != 365 {
		t.Fatalf("own calendar: %d occurrences, %d findings (want 365 wrong-time): %v", rep.Occurrences, len(rep.Findings), rep.err())
	}
	f := rep.Findings[0]
	want := time.Date(2025, 12, 31, 22, 0, 0, 0, ny) // 2026-01-01T03:00Z: in the window
	if f.Slot != wallOf(want) || !f.Want.Equal(want) || !f.Got.Equal(want.AddDate(0, 0, 1)) ||
		f.After.Location() != time.UTC || !f.After.Before(want) {
		t.Errorf("first finding %s, want slot %s want %s got the next day's, from an instant in UTC", f.describe(), wallOf(want), want)
	}

	ber := mustZone(t, "Europe/Berlin")
	r = daily(ber, 9, 0, 0)
	rep = check(t, roundingNext(r), r, Compatible, year2026[0], year2026[1])
	if len(rep.Findings) != 365 || rep.count(wrongTime) != 365 {
		t.Fatalf("rounding: %d findings (want 365 wrong-time): %v", len(rep.Findings), rep.err())
	}
	f = rep.Findings[0]
	want = time.Date(2026, 1, 1, 9, 0, 0, 0, ber)
	if !f.Want.Equal(want) || !f.Got.Equal(want.AddDate(0, 0, 1)) || f.After.Before(want.Add(-time.Second)) || !f.After.Before(want) {
		t.Errorf("first finding %s, want %s from the last second before it", f.describe(), want)
	}
}

// TestCheckSchedulerProbeStuckOnce: a scheduler that answers with its
// argument rounded to the minute goes back in time from just after each
// occurrence: one stuck finding, not one per slot.
func TestCheckSchedulerProbeStuckOnce(t *testing.T) {
	ber := mustZone(t, "Europe/Berlin")
	r := daily(ber, 9, 0, 0)
	ok := correct(r, Compatible)
	next := func(after time.Time) time.Time {
		if a := after.Round(time.Minute); !a.Equal(after) && a.Equal(ok(a.Add(-time.Nanosecond))) {
			return a // an occurrence "at" after, by the minute
		}
		return ok(after)
	}
	rep := check(t, next, r, Compatible, year2026[0], year2026[1])
	if len(rep.Findings) != 1 || rep.count(stuck) != 1 {
		t.Fatalf("%d findings, want one stuck: %v", len(rep.Findings), rep.err())
	}
}
