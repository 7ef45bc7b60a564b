package schedule

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Every error this package returns wraps one of them, so
// callers can branch with errors.Is.
var (
	// ErrGap marks a local time that does not exist in its zone (skipped by a
	// forward transition, such as 02:30 on the day DST starts).
	ErrGap = errors.New("schedule: local time is in a gap")
	// ErrOverlap marks a local time that occurs twice in its zone.
	ErrOverlap = errors.New("schedule: local time is ambiguous (overlap)")
	// ErrUnknownZone marks a zone name that cannot be loaded.
	ErrUnknownZone = errors.New("schedule: unknown time zone")
	// ErrInvalidWall marks a wall-clock reading with a field out of range.
	ErrInvalidWall = errors.New("schedule: invalid wall time")
	// ErrBadInput marks a nil argument, an empty window, a negative horizon
	// or another argument that cannot be used.
	ErrBadInput = errors.New("schedule: bad input")
	// ErrHorizon marks an event further from now than the configured maximum
	// (or in the past, when that is not allowed).
	ErrHorizon = errors.New("schedule: event outside the allowed horizon")
	// ErrOutOfRange marks an instant that a storage format cannot represent.
	ErrOutOfRange = errors.New("schedule: instant not representable in storage")
	// ErrRoundTrip marks a codec that did not give back the event it encoded.
	ErrRoundTrip = errors.New("schedule: codec round trip failed")
	// ErrSchedule marks a scheduler that skipped, doubled or misplaced occurrences.
	ErrSchedule = errors.New("schedule: scheduler misbehaved")
)

// LocalTimeError reports a wall time that falls in a gap or an overlap of
// its zone. It names the zone, the wall time and the offsets on both sides of
// the transition, and carries both candidate instants so that a caller can
// still choose one.
type LocalTimeError struct {
	Kind       Kind      // Gap or Overlap
	Zone       string    // e.g. "Europe/Berlin"
	Wall       Wall      // the reading that was asked for
	Transition time.Time // the instant the offset changes, in UTC
	Before     Offset    // zone state before the transition
	After      Offset    // zone state after the transition
	// Earlier and Later are the instants the Earlier and Later policies
	// give. For a gap they show the wall time shifted back or forward by the
	// gap's length; for an overlap they are the two real occurrences.
	Earlier, Later time.Time
}

// Error describes the gap or overlap in one line.
func (e *LocalTimeError) Error() string {
	what := "does not exist (gap)"
	if e.Kind == Overlap {
		what = "occurs twice (overlap)"
	}
	return fmt.Sprintf("schedule: %s in %s %s: offset changes from %s to %s at %s",
		e.Wall, e.Zone, what, e.Before, e.After, e.Transition.UTC().Format(time.RFC3339))
}

// Unwrap returns ErrGap or ErrOverlap.
func (e *LocalTimeError) Unwrap() error {
	if e.Kind == Overlap {
		return ErrOverlap
	}
	return ErrGap
}

// RuleError reports which validation rule an event failed.
type RuleError struct {
	Rule string // "zone", "wall", "local-time", "horizon" or "storage:<range name>"
	Err  error
}

// Error names the rule and the cause.
func (e *RuleError) Error() string { return fmt.Sprintf("rule %s: %v", e.Rule, e.Err) }

// Unwrap returns the cause.
func (e *RuleError) Unwrap() error { return e.Err }

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadInput}, args...)...)
}
