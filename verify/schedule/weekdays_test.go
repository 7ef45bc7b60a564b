package schedule

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// cronNext is a scheduler of rule r: each local date from after's on, a
// date r's weekdays allow, at r's time resolved by resolve (nil: skip the
// date); weekdayOf says which weekday a candidate falls on.
func cronNext(r Rule, resolve func(Wall) (time.Time, bool), weekdayOf func(date, candidate time.Time) time.Weekday) func(time.Time) time.Time {
	return func(after time.Time) time.Time {
		d := wallOf(after.In(r.Zone)).date().naive().AddDate(0, 0, -1)
		for i := 0; i < 400; i, d = i+1, d.AddDate(0, 0, 1) {
			w := wallOf(d)
			w.Hour, w.Minute, w.Second = r.Hour, r.Minute, r.Second
			t, ok := resolve(w)
			if !ok || !t.After(after) {
				continue
			}
			if len(r.Weekdays) > 0 && !slices.Contains(r.Weekdays, weekdayOf(d, t)) {
				continue
			}
			return t
		}
		return time.Time{}
	}
}

// TestCheckSchedulerWeekdays: a weekly Mon/Fri 09:00 rule in
// Pacific/Auckland (UTC+12/+13). A scheduler that tests the local date's
// weekday has no finding over 2026; one that tests the UTC instant's
// weekday (the previous day there) fires on Tuesdays and Saturdays: found.
func TestCheckSchedulerWeekdays(t *testing.T) {
	loc := mustZone(t, "Pacific/Auckland")
	r := Rule{Zone: loc, Weekdays: []time.Weekday{time.Monday, time.Friday}, Hour: 9}
	resolve := func(w Wall) (time.Time, bool) { v, err := Resolve(w, loc, Compatible); return v, err == nil }
	from, to := utc(2026, 1, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0)
	local := func(date, _ time.Time) time.Weekday { return date.Weekday() }
	rep, err := CheckScheduler(cronNext(r, resolve, local), r, Compatible, from, to)
	if err != nil || rep.Occurrences < 100 {
		t.Fatalf("correct weekly scheduler: %v (%d occurrences)", err, rep.Occurrences)
	}
	inUTC := func(_, c time.Time) time.Weekday { return c.UTC().Weekday() }
	rep, err = CheckScheduler(cronNext(r, resolve, inUTC), r, Compatible, from, to)
	if !errors.Is(err, ErrSchedule) || len(rep.Findings) < 100 {
		t.Fatalf("UTC-weekday scheduler: %v; want its Tuesdays and Saturdays found", err)
	}
	for _, bad := range []Rule{
		{Zone: loc, Day: 3, Weekdays: []time.Weekday{time.Monday}},
		{Zone: loc, Weekdays: []time.Weekday{9}},
	} {
		if _, err := CheckScheduler(cronNext(r, resolve, local), bad, Compatible, from, to); !errors.Is(err, ErrBadInput) {
			t.Errorf("rule %+v: %v, want ErrBadInput", bad, err)
		}
	}
	if got := r.describe(); got != "weekly on Mon,Fri 09:00:00 Pacific/Auckland" {
		t.Errorf("describe = %q", got)
	}
}

// TestCheckSchedulerSkipGap: the policy cron documents (a 02:30 job does
// not run on the day 02:30 is skipped, and runs once when 02:30 happens
// twice). A scheduler doing exactly that passes under SkipGap and, under
// Compatible, is found skipping the gap day; one that fires at the second
// occurrence of the overlap is found under SkipGap.
func TestCheckSchedulerSkipGap(t *testing.T) {
	loc := mustZone(t, "Europe/Berlin")
	r := Rule{Zone: loc, Hour: 2, Minute: 30}
	from, to := utc(2026, 1, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0)
	cron := func(w Wall) (time.Time, bool) { v, err := Resolve(w, loc, SkipGap); return v, err == nil }
	any := func(date, _ time.Time) time.Weekday { return date.Weekday() }
	if _, err := CheckScheduler(cronNext(r, cron, any), r, SkipGap, from, to); err != nil {
		t.Fatalf("cron scheduler under SkipGap: %v", err)
	}
	rep, err := CheckScheduler(cronNext(r, cron, any), r, Compatible, from, to)
	if !errors.Is(err, ErrSchedule) || rep.count(skipped) != 1 || len(rep.Findings) != 1 {
		t.Fatalf("cron scheduler under Compatible: %v; want the one gap day skipped", err)
	}
	// The second occurrence of 02:30 on the overlap day (a Later cron).
	late := func(w Wall) (time.Time, bool) {
		v, err := Resolve(w, loc, Later)
		if errors.Is(err, ErrGap) {
			return v, false
		}
		return v, err == nil
	}
	rep, err = CheckScheduler(cronNext(r, late, any), r, SkipGap, from, to)
	if !errors.Is(err, ErrSchedule) || rep.count(wrongTime) != 1 {
		t.Fatalf("a scheduler firing at the overlap's second 02:30, under SkipGap: %v", err)
	}
	// Resolve under SkipGap: a gap is ErrGap, an overlap its first instant.
	if _, err := Resolve(Wall{2026, time.March, 29, 2, 30, 0, 0}, loc, SkipGap); !errors.Is(err, ErrGap) {
		t.Errorf("Resolve(gap, SkipGap) = %v, want ErrGap", err)
	}
	e, _ := Resolve(Wall{2026, time.October, 25, 2, 30, 0, 0}, loc, Earlier)
	if v, err := Resolve(Wall{2026, time.October, 25, 2, 30, 0, 0}, loc, SkipGap); err != nil || !v.Equal(e) {
		t.Errorf("Resolve(overlap, SkipGap) = %v, %v; want the first occurrence %v", v, err, e)
	}
}
