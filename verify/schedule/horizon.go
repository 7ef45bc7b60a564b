package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Horizon says how far after "now" a swept event lies: set one field.
// After is elapsed time (After: 24h across a DST change shows another wall
// time); Years is that many calendar years later at the same local wall
// time in the event's zone (February 29 becomes February 28, a wall time in
// a gap resolves with Compatible); At is a fixed instant whatever now is,
// such as the last second int32 Unix time holds (plus now's fraction of a
// second, for the sub-second nows). The zero value is After 0.
type Horizon struct {
	After time.Duration
	Years int
	At    time.Time
}

// name names the horizon in reports: "30d-1s", "10y", "at 2038-01-19T03:14:07Z".
func (h Horizon) name() string {
	switch {
	case !h.At.IsZero():
		return "at " + h.At.UTC().Format(time.RFC3339Nano)
	case h.Years != 0:
		return fmt.Sprintf("%dy", h.Years)
	}
	return fmtDuration(h.After)
}

func (h Horizon) validate() error {
	set := 0
	for _, b := range []bool{h.After != 0, h.Years != 0, !h.At.IsZero()} {
		if b {
			set++
		}
	}
	switch {
	case h.After < 0 || h.Years < 0:
		return badInput("Horizons: negative horizon %s", h.name())
	case set > 1:
		return badInput("Horizons: %+v sets more than one of After, Years and At", h)
	}
	return nil
}

// event returns the instant h after now, in loc.
func (h Horizon) event(now time.Time, loc *time.Location) time.Time {
	switch {
	case !h.At.IsZero():
		// Carry now's fraction of a second, so that sub-second nows test
		// sub-second events at the fixed instants too.
		return h.At.Add(time.Duration(now.Nanosecond())).In(loc)
	case h.Years != 0:
		w := wallOf(now.In(loc))
		w.Year += h.Years
		if d := daysIn(w.Year, w.Month); w.Day > d {
			w.Day = d
		}
		if t, err := Resolve(w, loc, Compatible); err == nil {
			return t
		}
		return now.AddDate(h.Years, 0, 0).In(loc)
	}
	return now.Add(h.After).In(loc)
}

// int32Max is the last instant a signed 32-bit count of Unix seconds can
// hold: 2038-01-19T03:14:07Z.
var int32Max = int32Seconds.Max

// defaultHorizons are the horizons Sweep uses unless told otherwise:
// 0, 1s, 1h, 23h59m59s, 24h, 29d, 30d−1s, 30d, 30d+1s, 31d, 90d, 365d, the
// int32 limit 2038-01-19T03:14:07Z and a second either side, 10y and 100y.
func defaultHorizons() []Horizon {
	const day = 24 * time.Hour
	return []Horizon{
		{}, {After: time.Second}, {After: time.Hour}, {After: day - time.Second}, {After: day},
		{After: 29 * day}, {After: 30*day - time.Second}, {After: 30 * day}, {After: 30*day + time.Second},
		{After: 31 * day}, {After: 90 * day}, {After: 365 * day},
		{At: int32Max.Add(-time.Second)}, {At: int32Max}, {At: int32Max.Add(time.Second)},
		{Years: 10}, {Years: 100},
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
