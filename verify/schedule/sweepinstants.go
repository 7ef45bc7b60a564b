package schedule

import "time"

// Classes of the calendar "now" values every zone gets, with or without
// transitions (see sweepInstants).
const (
	utcMidnightBefore   = "utc-midnight-1s"
	utcMidnightAfter    = "utc-midnight+1s"
	localMidnightBefore = "local-midnight-1s"
	localMidnightAfter  = "local-midnight+1s"
	monthEnd            = "month-end"   // the last second of a local month
	monthStart          = "month-start" // the first instant of a local month
	yearEnd             = "year-end"    // the last second of a local year
	yearStart           = "year-start"  // the first instant of a local year
	leapDay             = "feb-29"      // the start of 29 February and the second before it
	int32Limit          = "2038"        // the last int32 second and a second either side
	subSecond           = "sub-second"  // a now with 1 ns, 1 µs, 1 ms or 0.123456789 s past the second
)

// calendarYears are the years whose calendar instants every zone gets: a
// century leap year, a recent leap year, and the year before the int32
// limit.
var calendarYears = []int{2000, 2024, 2037}

// calendarDays are the days, in each calendar year, whose UTC and local
// midnights and their neighbours every zone gets.
var calendarDays = []struct {
	m time.Month
	d int
}{{time.January, 1}, {time.March, 1}, {time.July, 1}}

// subSeconds are the fractions added to some nows, so that a codec that
// keeps only seconds, milliseconds or microseconds (or rounds through a
// float64) fails at the nearest horizons, not only at 100 years.
var subSeconds = []time.Duration{time.Nanosecond, time.Microsecond, time.Millisecond, 123456789 * time.Nanosecond}

// sweepInstants returns the "now" values Sweep uses for loc in [from, to):
//   - the window start (with its UTC and local midnights);
//   - for every transition, the transition ±1s, the UTC midnights and the
//     starts of the local days on either side of it;
//   - for every zone, in 2000, 2024 and 2037: the last second and the first
//     instant of each local month (and so of the year), 29 February's start
//     and the second before it, and on 1 January, 1 March and 1 July the
//     UTC and local midnights and the seconds either side of them;
//   - the last int32 second 2038-01-19T03:14:07Z and a second either side;
//   - the window start, each calendar year's start and the second before
//     the int32 limit, each plus 1 ns, 1 µs, 1 ms and 0.123456789 s.
//
// That is about 185 instants for a zone without transitions, plus about
// 7 per transition.
func sweepInstants(loc *time.Location, from, to time.Time) []instant {
	var out []instant
	add := func(t time.Time, c string) {
		if !t.Before(from) && t.Before(to) {
			out = append(out, instant{t.In(loc), c})
		}
	}
	start := func(w Wall) (time.Time, string, bool) {
		t, c, err := dayStart(w, loc)
		return t, c, err == nil
	}
	midnights := func(t time.Time) {
		u := t.UTC()
		add(time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC), utcMidnight)
		if s, c, ok := start(wallOf(t)); ok {
			add(s, c)
		}
	}
	add(from, windowStart)
	midnights(from.In(loc))
	walkTransitions(loc, from.Add(-time.Second), to.Add(time.Second), func(tr change) bool {
		add(tr.At.Add(-time.Second), beforeTransition)
		add(tr.At, atTransition)
		add(tr.At.Add(time.Second), afterTransition)
		midnights(tr.At.Add(-time.Second))
		midnights(tr.At)
		return true
	})
	fractional := []time.Time{from, int32Max.Add(-time.Second)}
	for _, y := range calendarYears {
		for m := time.January; m <= time.December; m++ {
			s, c, ok := start(Wall{Year: y, Month: m, Day: 1})
			if !ok {
				continue
			}
			end, begin := monthEnd, monthStart
			if m == time.January {
				end, begin = yearEnd, yearStart
				fractional = append(fractional, s)
			}
			if c == missingMidnight {
				begin = c
			}
			add(s.Add(-time.Second), end)
			add(s, begin)
		}
		if s, _, ok := start(Wall{Year: y + 1, Month: time.January, Day: 1}); ok {
			add(s.Add(-time.Second), yearEnd)
		}
		if daysIn(y, time.February) == 29 {
			if s, _, ok := start(Wall{Year: y, Month: time.February, Day: 29}); ok {
				add(s.Add(-time.Second), leapDay)
				add(s, leapDay)
			}
		}
		for _, cd := range calendarDays {
			u := time.Date(y, cd.m, cd.d, 0, 0, 0, 0, time.UTC)
			add(u.Add(-time.Second), utcMidnightBefore)
			add(u, utcMidnight)
			add(u.Add(time.Second), utcMidnightAfter)
			if s, c, ok := start(Wall{Year: y, Month: cd.m, Day: cd.d}); ok {
				add(s.Add(-time.Second), localMidnightBefore)
				add(s, c)
				add(s.Add(time.Second), localMidnightAfter)
			}
		}
	}
	for _, d := range []time.Duration{-time.Second, 0, time.Second} {
		add(int32Max.Add(d), int32Limit)
	}
	for _, t := range fractional {
		for _, f := range subSeconds {
			add(t.Add(f), subSecond)
		}
	}
	return dedupe(out)
}
