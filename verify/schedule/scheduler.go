package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Rule is a recurring local schedule: a wall time of day in a zone, every
// day or on one day of each month. Make one with Daily or Monthly.
type Rule struct {
	loc                  *time.Location
	monthDay             int // 0: every day
	hour, minute, second int
}

// Daily is "every day at hh:mm:ss in loc".
func Daily(loc *time.Location, hour, minute, second int) Rule {
	return Rule{loc: loc, hour: hour, minute: minute, second: second}
}

// Monthly is "on day day of every month at hh:mm:ss in loc"; months
// without that day have no occurrence.
func Monthly(loc *time.Location, day, hour, minute, second int) Rule {
	return Rule{loc: loc, monthDay: day, hour: hour, minute: minute, second: second}
}

// String reads like "daily 02:30:00 Europe/Berlin".
func (r Rule) String() string {
	when := "daily"
	if r.monthDay > 0 {
		when = fmt.Sprintf("monthly on day %d", r.monthDay)
	}
	return fmt.Sprintf("%s %02d:%02d:%02d %s", when, r.hour, r.minute, r.second, r.loc)
}

func (r Rule) validate() error {
	if r.loc == nil {
		return badInput("rule has a nil *time.Location")
	}
	if r.monthDay < 0 || r.monthDay > 31 {
		return badInput("rule day of month %d", r.monthDay)
	}
	return Wall{2000, 1, 1, r.hour, r.minute, r.second, 0}.Validate()
}

// FindingKind classifies what a scheduler did wrong.
type FindingKind int

const (
	// Skipped is an intended occurrence the scheduler never produced.
	Skipped FindingKind = iota + 1
	// Doubled is an occurrence produced more than once, or a second
	// occurrence for a slot already served.
	Doubled
	// WrongTime is an occurrence at another instant than the policy gives
	// for its slot (such as 01:30 for a 02:30 job, or 03:30 under Earlier).
	WrongTime
	// Unexpected is an occurrence for a slot the policy leaves empty
	// (a gap or overlap under Reject).
	Unexpected
	// Stuck is a next function that returned a time not after its argument.
	Stuck
)

var findingNames = [...]string{"", "skipped", "doubled", "wrong-time", "unexpected", "stuck"}

// String returns "skipped", "doubled", "wrong-time", "unexpected" or "stuck".
func (k FindingKind) String() string {
	if k > 0 && int(k) < len(findingNames) {
		return findingNames[k]
	}
	return fmt.Sprintf("FindingKind(%d)", int(k))
}

// Finding is one thing a scheduler did wrong.
type Finding struct {
	Kind FindingKind
	Slot Wall      // the intended local date and time
	Want time.Time // the instant the policy gives (zero for Unexpected)
	Got  time.Time // what the scheduler produced (zero for Skipped)
}

// String describes the finding on one line.
func (f Finding) String() string {
	s := fmt.Sprintf("%s: slot %s", f.Kind, f.Slot)
	if !f.Want.IsZero() {
		s += " want " + f.Want.Format(time.RFC3339)
	}
	if !f.Got.IsZero() {
		s += " got " + f.Got.Format(time.RFC3339)
	}
	return s
}

// ScheduleReport is what CheckSchedule found.
type ScheduleReport struct {
	Rule        Rule
	Policy      Policy
	Occurrences int // how many the scheduler produced in the window
	Findings    []Finding
}

// Err returns nil when there are no findings, else an error wrapping
// ErrSchedule that lists the first few.
func (r *ScheduleReport) Err() error {
	if r == nil || len(r.Findings) == 0 {
		return nil
	}
	var b strings.Builder
	for i, f := range r.Findings {
		if i == 5 {
			fmt.Fprintf(&b, "; … %d more", len(r.Findings)-5)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return fmt.Errorf("%w: %s under %s: %d findings: %s", ErrSchedule, r.Rule, r.Policy, len(r.Findings), b.String())
}

// Count returns how many findings are of kind k.
func (r *ScheduleReport) Count(k FindingKind) int {
	n := 0
	for _, f := range r.Findings {
		if f.Kind == k {
			n++
		}
	}
	return n
}

// slot is one intended occurrence: a local date, and the instant the
// policy gives for it (want is zero when Reject leaves it empty).
type slot struct {
	wall    Wall
	want    time.Time
	nominal time.Time // Compatible's instant, used to place stray occurrences
	hits    int
	wrong   bool
}
