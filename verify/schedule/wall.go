package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Wall is a local wall-clock reading (a date and a time of day) with no zone
// attached, like TC39 Temporal's PlainDateTime. It becomes an instant only
// when resolved in a zone with [Resolve]. The zero value is not a valid
// reading (month and day are 0).
type Wall struct {
	Year       int
	Month      time.Month
	Day        int
	Hour       int
	Minute     int
	Second     int
	Nanosecond int
}

// wallOf returns the wall-clock reading of t in t's own location.
func wallOf(t time.Time) Wall {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return Wall{y, mo, d, h, mi, s, t.Nanosecond()}
}

// wallLayout is the canonical text form of a Wall.
const wallLayout = "2006-01-02T15:04:05.999999999"

// ParseWall parses a wall-clock reading written as YYYY-MM-DDTHH:MM,
// YYYY-MM-DDTHH:MM:SS or YYYY-MM-DDTHH:MM:SS.fffffffff (a space may replace
// the T, a comma the point; digits past nanoseconds are dropped, as
// time.Parse drops them). It rejects zone offsets, and it rejects out-of-range fields such
// as February 30 or 24:00 instead of normalizing them, with an error that
// names the field: "day 30 of February 2026 (it has 28 days)".
func ParseWall(s string) (Wall, error) {
	if len(s) > 64 {
		return Wall{}, fmt.Errorf("%w: %.20q… is too long for a wall time", ErrInvalidWall, s)
	}
	w, ok := scanWall(s)
	if !ok {
		return Wall{}, fmt.Errorf("%w: %q is not YYYY-MM-DDTHH:MM[:SS[.fffffffff]]", ErrInvalidWall, s)
	}
	if err := w.validate(); err != nil {
		return Wall{}, fmt.Errorf("%w (in %q)", err, s)
	}
	return w, nil
}

// scanWall reads the fields of s without checking their ranges. It
// accepts what time.Parse accepted with the layouts ParseWall used to
// pass it: a 4-digit year, 2-digit month, day, minute and second, a 1- or
// 2-digit hour, and a fraction of any length.
func scanWall(s string) (w Wall, ok bool) {
	i := 0
	num := func(min, max int) (int, bool) {
		n, j := 0, i
		for j < len(s) && j-i < max && s[j] >= '0' && s[j] <= '9' {
			n = n*10 + int(s[j]-'0')
			j++
		}
		if j-i < min {
			return 0, false
		}
		i = j
		return n, true
	}
	sep := func(cs string) bool {
		if i < len(s) && strings.IndexByte(cs, s[i]) >= 0 {
			i++
			return true
		}
		return false
	}
	var mo int
	okY := false
	if w.Year, okY = num(4, 4); !okY || !sep("-") {
		return Wall{}, false
	}
	if mo, ok = num(2, 2); !ok || !sep("-") {
		return Wall{}, false
	}
	w.Month = time.Month(mo)
	if w.Day, ok = num(2, 2); !ok || !sep("T ") {
		return Wall{}, false
	}
	if w.Hour, ok = num(1, 2); !ok || !sep(":") {
		return Wall{}, false
	}
	if w.Minute, ok = num(2, 2); !ok {
		return Wall{}, false
	}
	if i == len(s) {
		return w, true
	}
	if !sep(":") {
		return Wall{}, false
	}
	if w.Second, ok = num(2, 2); !ok {
		return Wall{}, false
	}
	if i == len(s) {
		return w, true
	}
	if !sep(".,") {
		return Wall{}, false
	}
	start := i
	if _, ok = num(1, len(s)); !ok || i != len(s) {
		return Wall{}, false
	}
	digits := s[start:]
	if len(digits) > 9 {
		digits = digits[:9] // as time.Parse does, truncate to nanoseconds
	}
	for j := 0; j < 9; j++ {
		w.Nanosecond *= 10
		if j < len(digits) {
			w.Nanosecond += int(digits[j] - '0')
		}
	}
	return w, true
}

// String formats w as YYYY-MM-DDTHH:MM:SS with a fraction when it has one.
func (w Wall) String() string {
	if w.Year >= 0 && w.Year <= 9999 && w.validate() == nil {
		return w.naive().Format(wallLayout)
	}
	return fmt.Sprintf("%d-%02d-%02dT%02d:%02d:%02d.%09d", w.Year, int(w.Month), w.Day, w.Hour, w.Minute, w.Second, w.Nanosecond)
}

// validate reports whether every field of w is in range, without the
// normalization time.Date would apply (February 30 is an error, not March
// 2). The error names the field.
func (w Wall) validate() error {
	switch {
	case w.Month < time.January || w.Month > time.December:
		return fmt.Errorf("%w: month %d (months are 1–12)", ErrInvalidWall, int(w.Month))
	case w.Day < 1 || w.Day > daysIn(w.Year, w.Month):
		return fmt.Errorf("%w: day %d of %s %d (it has %d days)", ErrInvalidWall, w.Day, w.Month, w.Year, daysIn(w.Year, w.Month))
	case w.Hour < 0 || w.Hour > 23:
		return fmt.Errorf("%w: hour %d (hours are 0–23)", ErrInvalidWall, w.Hour)
	case w.Minute < 0 || w.Minute > 59:
		return fmt.Errorf("%w: minute %d (minutes are 0–59)", ErrInvalidWall, w.Minute)
	case w.Second < 0 || w.Second > 59:
		return fmt.Errorf("%w: second %d (seconds are 0–59)", ErrInvalidWall, w.Second)
	case w.Nanosecond < 0 || w.Nanosecond > 999999999:
		return fmt.Errorf("%w: nanosecond %d", ErrInvalidWall, w.Nanosecond)
	}
	return nil
}

// naive returns w read as if it were UTC; arithmetic on it is exact.
func (w Wall) naive() time.Time {
	return time.Date(w.Year, w.Month, w.Day, w.Hour, w.Minute, w.Second, w.Nanosecond, time.UTC)
}

// date returns w's calendar date at 00:00.
func (w Wall) date() Wall { return Wall{Year: w.Year, Month: w.Month, Day: w.Day} }

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// zoneState is one zone state: a UTC offset with its abbreviation and DST flag,
// as reported by time.Time.Zone and time.Time.IsDST.
type zoneState struct {
	Abbrev  string // e.g. "CEST"; tzdata uses numeric names such as "+0545" for some zones
	Seconds int    // seconds east of UTC
	DST     bool   // tzdata's flag; Europe/Dublin sets it in winter (negative DST)
}

// offsetOf returns the zone state in effect at t in t's location.
func offsetOf(t time.Time) zoneState {
	name, off := t.Zone()
	return zoneState{Abbrev: name, Seconds: off, DST: t.IsDST()}
}

// String formats o as "+05:45 (+0545)" or "-03:30 (NST)", with ", DST" when set.
func (o zoneState) String() string {
	sign, s := '+', o.Seconds
	if s < 0 {
		sign, s = '-', -s
	}
	out := fmt.Sprintf("%c%02d:%02d", sign, s/3600, s/60%60)
	if s%60 != 0 {
		out += fmt.Sprintf(":%02d", s%60)
	}
	if o.DST {
		return fmt.Sprintf("%s (%s, DST)", out, o.Abbrev)
	}
	return fmt.Sprintf("%s (%s)", out, o.Abbrev)
}
