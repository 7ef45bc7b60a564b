package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Clock tells the time. Code that validates events against "now" should
// take a Clock rather than call time.Now, so that tests can set it.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to a Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock returns a Clock that calls time.Now. Inside a
// testing/synctest bubble, time.Now is the bubble's fake clock, so the same
// Clock follows it.
func SystemClock() Clock { return ClockFunc(time.Now) }

// Fixed returns a Clock that always says t.
func Fixed(t time.Time) Clock { return ClockFunc(func() time.Time { return t }) }

// AsOfError is a check that failed as of one instant.
type AsOfError struct {
	At    time.Time // the clock's reading, in the zone's location
	Class Boundary  // why that instant was chosen
	Err   error
}

// Error names the instant and the failure.
func (e *AsOfError) Error() string {
	return fmt.Sprintf("as of %s (%s): %v", e.At.Format(time.RFC3339), e.Class, e.Err)
}

// Unwrap returns the check's error.
func (e *AsOfError) Unwrap() error { return e.Err }

// AsOf runs check once for each interesting instant of loc in [from, to)
// (see Instants), with a Clock fixed at that instant, in order and without
// sleeping. It returns nil if every run passed, else the failures as
// *AsOfError values joined with errors.Join. It stops early, returning the
// cause, when ctx is done.
func AsOf(ctx context.Context, loc *time.Location, from, to time.Time, check func(Clock) error) error {
	if check == nil {
		return badInput("nil check function")
	}
	insts, err := Instants(loc, from, to)
	if err != nil {
		return err
	}
	var errs []error
	for _, in := range insts {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		if err := check(Fixed(in.At)); err != nil {
			errs = append(errs, &AsOfError{At: in.At, Class: in.Class, Err: err})
		}
	}
	return errors.Join(errs...)
}
