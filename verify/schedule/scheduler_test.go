package schedule

import (
	"errors"
	"testing"
	"time"
)

// naiveAddDate is the scheduler many codebases write: the first occurrence
// with time.Date, each next one with AddDate(0, 0, 1) from the previous.
func naiveAddDate(loc *time.Location, start time.Time, hour, minute int) func(time.Time) time.Time {
	s := start.In(loc)
	cur := time.Date(s.Year(), s.Month(), s.Day(), hour, minute, 0, 0, loc)
	return func(after time.Time) time.Time {
		for !cur.After(after) {
			cur = cur.AddDate(0, 0, 1)
		}
		return cur
	}
}

// naiveDateEachDay recomputes time.Date for each day: no drift, but the
// gap and overlap choices are time.Date's, which differ by zone.
func naiveDateEachDay(loc *time.Location, hour, minute int) func(time.Time) time.Time {
	return func(after time.Time) time.Time {
		a := after.In(loc)
		for d := -1; ; d++ {
			t := time.Date(a.Year(), a.Month(), a.Day()+d, hour, minute, 0, 0, loc)
			if t.After(after) {
				return t
			}
		}
	}
}

// naiveMonthly recomputes time.Date for the given day of each month.
func naiveMonthly(loc *time.Location, day, hour, minute int) func(time.Time) time.Time {
	return func(after time.Time) time.Time {
		a := after.In(loc)
		for m := -1; ; m++ {
			t := time.Date(a.Year(), a.Month()+time.Month(m), day, hour, minute, 0, 0, loc)
			if t.After(after) {
				return t
			}
		}
	}
}

// cronMinutes fires at every minute whose wall clock reads hour:minute, as
// a cron daemon that polls the clock does.
func cronMinutes(loc *time.Location, hour, minute int) func(time.Time) time.Time {
	return func(after time.Time) time.Time {
		t := after.Truncate(time.Minute).Add(time.Minute)
		for {
			h, m, _ := t.In(loc).Clock()
			if h == hour && m == minute {
				return t.In(loc)
			}
			t = t.Add(time.Minute)
		}
	}
}

// correct resolves each day's wall time under the policy.
func correct(r Rule, p Policy) func(time.Time) time.Time {
	return func(after time.Time) time.Time {
		a := wallOf(after.In(r.Zone))
		for d := -1; ; d++ {
			day := wallOf(a.date().naive().AddDate(0, 0, d))
			if r.Day != 0 && day.Day != r.Day {
				continue
			}
			day.Hour, day.Minute, day.Second = r.Hour, r.Minute, r.Second
			t, err := Resolve(day, r.Zone, p)
			if err == nil && t.After(after) {
				return t
			}
		}
	}
}

var win0, win1 = defaultWindow()

var year2026 = [2]time.Time{utc(2026, 1, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0)}

func check(t *testing.T, next func(time.Time) time.Time, r Rule, p Policy, from, to time.Time) *Report {
	t.Helper()
	rep, err := CheckScheduler(next, r, p, from, to)
	if err != nil && !errors.Is(err, ErrSchedule) {
		t.Fatal(err)
	}
	if (err != nil) != (len(rep.Findings) > 0) {
		t.Fatalf("error %v with %d findings", err, len(rep.Findings))
	}
	return rep
}

func TestCheckScheduleCorrectPasses(t *testing.T) {
	for _, z := range []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia", "America/Sao_Paulo"} {
		loc := mustZone(t, z)
		for _, r := range []Rule{daily(loc, 2, 30, 0), daily(loc, 0, 0, 0), daily(loc, 1, 30, 0), monthly(loc, 4, 0, 0, 0)} {
			for _, p := range []Policy{Compatible, Earlier, Later, Reject} {
				rep := check(t, correct(r, p), r, p, utc(2011, 1, 1, 0, 0, 0), utc(2012, 1, 1, 0, 0, 0))
				if err := rep.err(); err != nil {
					t.Errorf("%s/%s: %v", r.describe(), p, err)
				}
				if rep.Occurrences < 11 {
					t.Errorf("%s/%s: only %d occurrences", r.describe(), p, rep.Occurrences)
				}
			}
		}
	}
}

func TestCheckScheduleNaiveAddDate(t *testing.T) {
	// Berlin: time.Date puts 02:30 on 29 March at 03:30 CEST (right under
	// Compatible), and AddDate then keeps 03:30 for the rest of the year.
	ber := mustZone(t, "Europe/Berlin")
	rep := check(t, naiveAddDate(ber, year2026[0], 2, 30), daily(ber, 2, 30, 0), Compatible, year2026[0], year2026[1])
	if got := rep.count(wrongTime); got != 277 { // 30 March – 31 December
		t.Errorf("Berlin: %d wrong-time occurrences, want 277\n%v", got, rep.err())
	}
	if f := rep.Findings[0]; f.Kind != wrongTime || f.Slot != (Wall{2026, 3, 30, 2, 30, 0, 0}) || wallOf(f.Got) != (Wall{2026, 3, 30, 3, 30, 0, 0}) {
		t.Errorf("Berlin first finding: %s", f)
	}
	// New York: time.Date puts it at 01:30 EST instead, and AddDate keeps
	// 01:30 from 8 March on.
	ny := mustZone(t, "America/New_York")
	rep = check(t, naiveAddDate(ny, year2026[0], 2, 30), daily(ny, 2, 30, 0), Compatible, year2026[0], year2026[1])
	if got := rep.count(wrongTime); got != 299 { // 8 March – 31 December
		t.Errorf("New York: %d wrong-time occurrences, want 299", got)
	}
	if f := rep.Findings[0]; f.Slot != (Wall{2026, 3, 8, 2, 30, 0, 0}) || wallOf(f.Got) != (Wall{2026, 3, 8, 1, 30, 0, 0}) || wallOf(f.Want) != (Wall{2026, 3, 8, 3, 30, 0, 0}) {
		t.Errorf("New York first finding: %s", f)
	}
	if rep.count(skipped)+rep.count(doubled) != 0 {
		t.Errorf("New York: %v", rep.err())
	}
}

func TestCheckScheduleTimeDateEachDay(t *testing.T) {
	ny, ber := mustZone(t, "America/New_York"), mustZone(t, "Europe/Berlin")
	// New York: one wrong time, on the gap day.
	rep := check(t, naiveDateEachDay(ny, 2, 30), daily(ny, 2, 30, 0), Compatible, year2026[0], year2026[1])
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != wrongTime || rep.Findings[0].Slot.Day != 8 {
		t.Errorf("New York 02:30: %v", rep.err())
	}
	// Berlin 02:30 in the overlap: time.Date picks the second occurrence;
	// Compatible wants the first.
	rep = check(t, naiveDateEachDay(ber, 2, 30), daily(ber, 2, 30, 0), Compatible, year2026[0], year2026[1])
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != wrongTime || rep.Findings[0].Slot != (Wall{2026, 10, 25, 2, 30, 0, 0}) {
		t.Errorf("Berlin 02:30: %v", rep.err())
	}
	// Under Reject both gap and overlap days must stay empty.
	rep = check(t, naiveDateEachDay(ber, 2, 30), daily(ber, 2, 30, 0), Reject, year2026[0], year2026[1])
	if rep.count(unexpected) != 2 || len(rep.Findings) != 2 {
		t.Errorf("Berlin 02:30 under Reject: %v", rep.err())
	}
	// Sao Paulo 2018-11-04 00:00 does not exist; time.Date gives 23:00 the
	// day before.
	sp := mustZone(t, "America/Sao_Paulo")
	rep = check(t, naiveMonthly(sp, 4, 0, 0), monthly(sp, 4, 0, 0, 0), Compatible, utc(2018, 1, 1, 0, 0, 0), utc(2019, 1, 1, 0, 0, 0))
	if len(rep.Findings) != 1 || wallOf(rep.Findings[0].Got) != (Wall{2018, 11, 3, 23, 0, 0, 0}) || wallOf(rep.Findings[0].Want) != (Wall{2018, 11, 4, 1, 0, 0, 0}) {
		t.Errorf("Sao Paulo monthly on the 4th: %v", rep.err())
	}
}

func TestCheckScheduleCronSkipsAndDoubles(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	from, to := utc(2026, 3, 1, 0, 0, 0), utc(2026, 11, 10, 0, 0, 0)
	rep := check(t, cronMinutes(ny, 2, 30), daily(ny, 2, 30, 0), Compatible, from, to)
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != skipped || rep.Findings[0].Slot.Day != 8 {
		t.Errorf("cron 02:30: %v", rep.err())
	}
	rep = check(t, cronMinutes(ny, 1, 30), daily(ny, 1, 30, 0), Compatible, from, to)
	if len(rep.Findings) != 1 || rep.Findings[0].Kind != doubled || rep.Findings[0].Slot != (Wall{2026, 11, 1, 1, 30, 0, 0}) {
		t.Errorf("cron 01:30: %v", rep.err())
	}
	if err := rep.err(); !errors.Is(err, ErrSchedule) {
		t.Errorf("Err() = %v", err)
	}
}

func TestCheckScheduleStuck(t *testing.T) {
	loc := mustZone(t, "Europe/Berlin")
	next := func(after time.Time) time.Time { return after }
	rep := check(t, next, daily(loc, 9, 0, 0), Compatible, year2026[0], year2026[1])
	if rep.count(stuck) != 1 {
		t.Errorf("stuck scheduler: %v", rep.err())
	}
}

func TestCheckScheduleBadInput(t *testing.T) {
	loc := mustZone(t, "Europe/Berlin")
	ok := correct(daily(loc, 9, 0, 0), Compatible)
	for name, call := range map[string]func() error{
		"nil next": func() error {
			_, err := CheckScheduler(nil, daily(loc, 9, 0, 0), Compatible, year2026[0], year2026[1])
			return err
		},
		"nil zone": func() error {
			_, err := CheckScheduler(ok, daily(nil, 9, 0, 0), Compatible, year2026[0], year2026[1])
			return err
		},
		"hour 24": func() error {
			_, err := CheckScheduler(ok, daily(loc, 24, 0, 0), Compatible, year2026[0], year2026[1])
			return err
		},
		"day 32": func() error {
			_, err := CheckScheduler(ok, monthly(loc, 32, 0, 0, 0), Compatible, year2026[0], year2026[1])
			return err
		},
		"bad policy": func() error {
			_, err := CheckScheduler(ok, daily(loc, 9, 0, 0), Policy("sometimes"), year2026[0], year2026[1])
			return err
		},
		"empty window": func() error {
			_, err := CheckScheduler(ok, daily(loc, 9, 0, 0), Compatible, year2026[1], year2026[0])
			return err
		},
	} {
		if err := call(); !errors.Is(err, ErrBadInput) && !errors.Is(err, ErrInvalidWall) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
