package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Horizon says how far after "now" a swept event lies: an exact duration,
// a number of calendar years in the event's zone, or a fixed instant. Make
// one with After, Years or At. The zero value is After(0).
type Horizon struct {
	name  string
	d     time.Duration
	years int
	at    time.Time
}

// After is an event d after now (elapsed time, not wall time: After(24h)
// across a DST change shows a different wall time). d must not be negative.
func After(d time.Duration) Horizon { return Horizon{name: fmtDuration(d), d: d} }

// Years is an event n calendar years after now at the same local wall time
// in the event's zone (February 29 becomes February 28; a wall time in a
// gap resolves with Compatible). n must not be negative.
func Years(n int) Horizon { return Horizon{name: fmt.Sprintf("%dy", n), years: n} }

// At is an event at the fixed instant t whatever now is, such as the last
// second int32 Unix time can hold.
func At(t time.Time) Horizon { return Horizon{name: "at " + t.UTC().Format(time.RFC3339), at: t} }

// String names the horizon: "30d-1s", "10y", "at 2038-01-19T03:14:07Z".
func (h Horizon) String() string {
	if h.name == "" {
		return "0s"
	}
	return h.name
}

func (h Horizon) validate() error {
	if h.d < 0 || h.years < 0 {
		return badInput("negative horizon %s", h)
	}
	return nil
}

// event returns the instant h after now, in loc.
func (h Horizon) event(now time.Time, loc *time.Location) time.Time {
	switch {
	case !h.at.IsZero():
		return h.at.In(loc)
	case h.years != 0:
		w := WallOf(now.In(loc))
		w.Year += h.years
		if d := daysIn(w.Year, w.Month); w.Day > d {
			w.Day = d
		}
		if t, err := Resolve(w, loc, Compatible); err == nil {
			return t
		}
		return now.AddDate(h.years, 0, 0).In(loc)
	}
	return now.Add(h.d).In(loc)
}

// Int32Max is the last instant a signed 32-bit count of Unix seconds can
// hold: 2038-01-19T03:14:07Z.
var Int32Max = time.Unix(1<<31-1, 0).UTC()

// DefaultHorizons returns the horizons Sweep uses unless told otherwise:
// 0, 1s, 1h, 23h59m59s, 24h, 29d, 30d−1s, 30d, 30d+1s, 31d, 90d, 365d, the
// int32 limit 2038-01-19T03:14:07Z and a second either side, 10y and 100y.
func DefaultHorizons() []Horizon {
	const day = 24 * time.Hour
	return []Horizon{
		After(0), After(time.Second), After(time.Hour), After(day - time.Second), After(day),
		After(29 * day), After(30*day - time.Second), After(30 * day), After(30*day + time.Second),
		After(31 * day), After(90 * day), After(365 * day),
		At(Int32Max.Add(-time.Second)), At(Int32Max), At(Int32Max.Add(time.Second)),
		Years(10), Years(100),
	}
}

// fmtDuration writes d with days: 30d-1s, 23h59m59s, 1h.
func fmtDuration(d time.Duration) string {
	if d < 0 {
		return "-" + fmtDuration(-d)
	}
	const day = 24 * time.Hour
	if d == 0 {
		return "0s"
	}
	days, rest := d/day, d%day
	switch {
	case days == 0:
		return strings.Replace(strings.Replace(rest.String(), "m0s", "m", 1), "h0m", "h", 1)
	case rest == 0:
		return fmt.Sprintf("%dd", days)
	case rest == day-time.Second:
		return fmt.Sprintf("%dd-1s", days+1)
	}
	return fmt.Sprintf("%dd+%s", days, fmtDuration(rest))
}
