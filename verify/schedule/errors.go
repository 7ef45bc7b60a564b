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
	// ErrBadInput marks a nil argument, an empty window, a bad option value
	// or another argument that cannot be used.
	ErrBadInput = errors.New("schedule: bad input")
	// ErrHorizon marks an event further from now than the configured maximum
	// (or in the past).
	ErrHorizon = errors.New("schedule: event outside the allowed horizon")
	// ErrOutOfRange marks an instant that a storage format cannot represent.
	ErrOutOfRange = errors.New("schedule: instant not representable in storage")
	// ErrOffset marks a stored UTC offset that the zone's rules do not give
	// for its wall time (the rules changed, or the data is inconsistent).
	ErrOffset = errors.New("schedule: offset does not match the zone's rules")
	// ErrRoundTrip marks a codec that did not give back the event it encoded.
	ErrRoundTrip = errors.New("schedule: codec round trip failed")
	// ErrSchedule marks a scheduler that skipped, doubled or misplaced occurrences.
	ErrSchedule = errors.New("schedule: scheduler misbehaved")
)

// LocalTimeError reports a wall time that falls in a gap or an overlap of
// its zone. It wraps ErrGap or ErrOverlap, names the zone, the wall time and
// the offsets on both sides of the transition, and carries both candidate
// instants so that a caller can still choose one.
type LocalTimeError struct {
	Zone       string    // e.g. "Europe/Berlin"
	Wall       Wall      // the reading that was asked for
	Transition time.Time // the instant the offset changes, in UTC
	// Before and After are the UTC offsets, in seconds east of UTC, in
	// effect before and after the transition; Earlier.Zone() and
	// Later.Zone() give their abbreviations.
	Before, After int
	// Earlier and Later are the instants the Earlier and Later policies
	// give. For a gap they show the wall time shifted back or forward by the
	// gap's length; for an overlap they are the two real occurrences.
	Earlier, Later time.Time

	kind          shiftKind // gapShift or overlapShift
	before, after zoneState
}

// Error describes the gap or overlap in one line.
func (e *LocalTimeError) Error() string {
	what := "does not exist (gap)"
	if e.kind == overlapShift {
		what = "occurs twice (overlap)"
	}
	return fmt.Sprintf("schedule: %s in %s %s: offset changes from %s to %s at %s",
		e.Wall, e.Zone, what, e.before, e.after, e.Transition.UTC().Format(time.RFC3339))
}

// Unwrap returns ErrGap or ErrOverlap.
func (e *LocalTimeError) Unwrap() error {
	if e.kind == overlapShift {
		return ErrOverlap
	}
	return ErrGap
}

// newLocalTimeError fills the exported offsets from the zone states.
func newLocalTimeError(k shiftKind, loc *time.Location, w Wall, tr time.Time, before, after zoneState, earlier, later time.Time) *LocalTimeError {
	return &LocalTimeError{Zone: loc.String(), Wall: w, Transition: tr, Before: before.Seconds, After: after.Seconds,
		Earlier: earlier, Later: later, kind: k, before: before, after: after}
}

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadInput}, args...)...)
}

// ruleError is a validation failure: the rule's name, then the cause.
func ruleError(rule string, err error) error {
	return fmt.Errorf("schedule: rule %s: %w", rule, err)
}
