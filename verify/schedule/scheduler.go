package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Rule is a recurring local schedule: a wall time of day in a zone, every
// day (Day 0) or on one day of each month (months without that day have no
// occurrence): Rule{Zone: berlin, Hour: 2, Minute: 30} is "daily at 02:30
// Europe/Berlin".
type Rule struct {
	Zone *time.Location
	Day  int // day of the month, 1–31; 0 for every day
	// Weekdays, if any, are the days of the week the rule fires on, in
	// the rule's zone (a cron day-of-week field); not with Day.
	Weekdays             []time.Weekday
	Hour, Minute, Second int
}

// describe reads like "daily 02:30:00 Europe/Berlin".
func (r Rule) describe() string {
	when := "daily"
	if r.Day > 0 {
		when = fmt.Sprintf("monthly on day %d", r.Day)
	}
	if len(r.Weekdays) > 0 {
		days := make([]string, len(r.Weekdays))
		for i, d := range r.Weekdays {
			days[i] = d.String()[:3]
		}
		when = "weekly on " + strings.Join(days, ",")
	}
	return fmt.Sprintf("%s %02d:%02d:%02d %s", when, r.Hour, r.Minute, r.Second, r.Zone)
}

func (r Rule) validate() error {
	if r.Zone == nil {
		return badInput("rule has a nil Zone")
	}
	if r.Day < 0 || r.Day > 31 {
		return badInput("rule Day %d (want 0 for daily, or 1–31)", r.Day)
	}
	if r.Day != 0 && len(r.Weekdays) > 0 {
		return badInput("rule has both Day %d and Weekdays %v: give one", r.Day, r.Weekdays)
	}
	for _, d := range r.Weekdays {
		if d < time.Sunday || d > time.Saturday {
			return badInput("rule Weekday %d (want time.Sunday … time.Saturday)", int(d))
		}
	}
	return Wall{2000, 1, 1, r.Hour, r.Minute, r.Second, 0}.validate()
}

// Kinds of Finding.
const (
	skipped    = "skipped"    // an intended occurrence the scheduler never produced
	doubled    = "doubled"    // produced more than once, or a second one for a slot already served
	wrongTime  = "wrong-time" // at another instant than the policy gives for its slot (01:30 for a 02:30 job)
	unexpected = "unexpected" // an occurrence for a slot the policy leaves empty (a gap or overlap under Reject)
	stuck      = "stuck"      // next returned a time not after its argument
)

// Finding is one thing a scheduler did wrong.
type Finding struct {
	// Kind is "skipped" (an intended occurrence never produced), "doubled"
	// (produced twice, or a second one for a slot already served),
	// "wrong-time" (at another instant than the policy gives for its slot,
	// such as 01:30 for a 02:30 job), "unexpected" (for a slot the policy
	// leaves empty: a gap or overlap under Reject) or "stuck" (next returned
	// a time not after its argument: Slot and Want are the occurrence it
	// should have returned, zero when none is left in the window).
	Kind string
	Slot Wall      // the intended local date and time
	Want time.Time // the instant the policy gives (zero for Unexpected)
	Got  time.Time // what the scheduler produced (zero for Skipped)
	// After is the argument of the call that went wrong, for a finding of
	// a probe (a call from an instant the scheduler did not return) or a
	// stuck one; zero for findings of the walk from occurrence to
	// occurrence.
	After time.Time
}

// describe writes the finding on one line.
func (f Finding) describe() string {
	s := fmt.Sprintf("%s: slot %s", f.Kind, f.Slot)
	if !f.Want.IsZero() {
		s += " want " + f.Want.Format(time.RFC3339)
	}
	if !f.Got.IsZero() {
		s += " got " + f.Got.Format(time.RFC3339)
	}
	return s
}

// Report is what CheckScheduler found.
type Report struct {
	Rule        Rule
	Policy      Policy
	Occurrences int // how many the scheduler produced in the window
	Findings    []Finding
}

// err returns nil when there are no findings, else an error wrapping
// ErrSchedule that lists the first few.
func (r *Report) err() error {
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
		b.WriteString(f.describe())
	}
	return fmt.Errorf("%w: %s under %s: %d findings: %s", ErrSchedule, r.Rule.describe(), r.Policy, len(r.Findings), b.String())
}

// count returns how many findings are of kind k.
func (r *Report) count(k string) int {
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
