package schedule

import (
	"fmt"
	"math"
	"time"
)

// Range is the span of instants a storage format can hold, both ends
// included.
type Range struct {
	Name     string
	Min, Max time.Time
}

// Storage ranges of common formats.
var (
	// Int32Seconds is a signed 32-bit count of Unix seconds (Unix time_t
	// on old systems, MySQL TIMESTAMP): 1901-12-13T20:45:52Z to 2038-01-19T03:14:07Z.
	Int32Seconds = Range{"int32 seconds", time.Unix(math.MinInt32, 0).UTC(), time.Unix(math.MaxInt32, 0).UTC()}
	// Int64Millis is a signed 64-bit count of Unix milliseconds (JavaScript, Java).
	Int64Millis = Range{"int64 milliseconds", time.UnixMilli(math.MinInt64).UTC(), time.UnixMilli(math.MaxInt64).UTC()}
	// RFC3339Years is what RFC 3339 text (and time.Time.MarshalJSON) can
	// hold: years 0000 to 9999, taken in UTC. Text written with a local
	// offset may leave it within 14 hours of either end.
	RFC3339Years = Range{"RFC 3339 years 0000-9999", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}
)

// Contains reports whether t lies in r.
func (r Range) Contains(t time.Time) bool { return !t.Before(r.Min) && !t.After(r.Max) }

// ValidatorOption configures a Validator.
type ValidatorOption interface{ apply(*Validator) error }

type validatorOptionFunc func(*Validator) error

func (f validatorOptionFunc) apply(v *Validator) error { return f(v) }

// WithClock sets where "now" comes from; the default is SystemClock().
func WithClock(c Clock) ValidatorOption {
	return validatorOptionFunc(func(v *Validator) error {
		if c == nil {
			return badInput("nil Clock")
		}
		v.clock = c
		return nil
	})
}

// WithPolicy sets how wall times in gaps and overlaps resolve; the default
// is Reject, so that a user is asked rather than guessed for.
func WithPolicy(p Policy) ValidatorOption {
	return validatorOptionFunc(func(v *Validator) error {
		if p < Compatible || p > Reject {
			return badInput("unknown policy %d", int(p))
		}
		v.policy = p
		return nil
	})
}

// MaxHorizon rejects events more than d after now. Events in the past are
// always rejected. The default is no maximum.
func MaxHorizon(d time.Duration) ValidatorOption {
	return validatorOptionFunc(func(v *Validator) error {
		if d < 0 {
			return badInput("negative horizon %s", d)
		}
		v.maxHorizon = d
		return nil
	})
}

// Storage rejects events outside any of the given ranges.
func Storage(rs ...Range) ValidatorOption {
	return validatorOptionFunc(func(v *Validator) error {
		for _, r := range rs {
			if r.Max.Before(r.Min) {
				return badInput("storage range %q has Max before Min", r.Name)
			}
		}
		v.ranges = append(v.ranges, rs...)
		return nil
	})
}

// Validator checks a single event before it is saved. Make one with
// NewValidator; it is safe for concurrent use.
type Validator struct {
	clock      Clock
	policy     Policy
	maxHorizon time.Duration
	ranges     []Range
}

// NewValidator returns a Validator with the given options.
func NewValidator(opts ...ValidatorOption) (*Validator, error) {
	v := &Validator{clock: SystemClock(), policy: Reject}
	for _, o := range opts {
		if o == nil {
			return nil, badInput("nil ValidatorOption")
		}
		if err := o.apply(v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Validate checks an event entered as a wall time in a named zone, and
// returns it resolved. Rules, in order: "zone" (LoadZone succeeds), "wall"
// (every field in range), "local-time" (the wall time resolves under the
// policy), then the rules of Check. A failure is a *RuleError naming the
// rule and wrapping the cause (ErrUnknownZone, ErrInvalidWall, ErrGap,
// ErrOverlap, ErrHorizon or ErrOutOfRange).
func (v *Validator) Validate(zone string, w Wall) (Event, error) {
	loc, err := LoadZone(zone)
	if err != nil {
		return Event{}, &RuleError{Rule: "zone", Err: err}
	}
	if err := w.Validate(); err != nil {
		return Event{}, &RuleError{Rule: "wall", Err: err}
	}
	at, err := Resolve(w, loc, v.policy)
	if err != nil {
		return Event{}, &RuleError{Rule: "local-time", Err: err}
	}
	ev := Event{At: at, Zone: zone, Created: v.clock.Now()}
	return ev, v.Check(ev)
}

// Check checks an already resolved event: "zone" (ev.Zone loads),
// "horizon" (ev.At is not before now and at
// most MaxHorizon after it) and "storage:<name>" for each range.
func (v *Validator) Check(ev Event) error {
	if _, err := LoadZone(ev.Zone); err != nil {
		return &RuleError{Rule: "zone", Err: err}
	}
	now := ev.Created
	if now.IsZero() {
		now = v.clock.Now()
	}
	if ev.At.Before(now) {
		return &RuleError{Rule: "horizon", Err: fmt.Errorf("%w: %s is before now (%s)",
			ErrHorizon, ev.At.Format(time.RFC3339), now.Format(time.RFC3339))}
	}
	if v.maxHorizon > 0 && ev.At.Sub(now) > v.maxHorizon {
		return &RuleError{Rule: "horizon", Err: fmt.Errorf("%w: %s is %s after now, more than the maximum %s",
			ErrHorizon, ev.At.Format(time.RFC3339), fmtDuration(ev.At.Sub(now)), fmtDuration(v.maxHorizon))}
	}
	for _, r := range v.ranges {
		if !r.Contains(ev.At) {
			return &RuleError{Rule: "storage:" + r.Name, Err: fmt.Errorf("%w: %s is outside %s to %s",
				ErrOutOfRange, ev.At.UTC().Format(time.RFC3339), r.Min.Format(time.RFC3339), r.Max.Format(time.RFC3339))}
		}
	}
	return nil
}
