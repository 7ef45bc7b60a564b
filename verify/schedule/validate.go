package schedule

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// timeRange is the span of instants a storage format can hold, both ends
// included.
type timeRange struct {
	Name     string
	Min, Max time.Time
}

// Storage ranges of common formats, for Storage and the codecs.
var (
	// int32Seconds is a signed 32-bit count of Unix seconds (time_t on old
	// systems, MySQL TIMESTAMP): 1901-12-13T20:45:52Z to 2038-01-19T03:14:07Z.
	int32Seconds = timeRange{"int32 seconds", time.Unix(math.MinInt32, 0).UTC(), time.Unix(math.MaxInt32, 0).UTC()}
	// int64Millis is a signed 64-bit count of Unix milliseconds (JavaScript, Java).
	int64Millis = timeRange{"int64 milliseconds", time.UnixMilli(math.MinInt64).UTC(), time.UnixMilli(math.MaxInt64).UTC()}
	// rfc3339Years is what RFC 3339 text (and time.Time.MarshalJSON) can
	// hold: years 0000 to 9999, taken in UTC.
	rfc3339Years = timeRange{"RFC 3339 years 0000-9999", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}
)

func (r timeRange) contains(t time.Time) bool { return !t.Before(r.Min) && !t.After(r.Max) }

// ValidatorOption configures NewValidator.
type ValidatorOption interface{ applyValidator(*Validator) error }

type validatorOption func(*Validator) error

func (f validatorOption) applyValidator(v *Validator) error { return f(v) }

// Clock sets where "now" comes from (the default is time.Now): a server
// that validates against another clock, such as its database's, passes it
// here. Tests need not: under testing/synctest, time.Now is the bubble's.
func Clock(now func() time.Time) ValidatorOption {
	return validatorOption(func(v *Validator) error {
		if now == nil {
			return badInput("Clock(nil)")
		}
		v.now = now
		return nil
	})
}

// MaxHorizon rejects events more than d after now (events in the past are
// always rejected); the default (and 0) is no maximum. It also bounds Daily.
func MaxHorizon(d time.Duration) ValidatorOption {
	return validatorOption(func(v *Validator) error {
		if d < 0 {
			return badInput("MaxHorizon(%s): must not be negative", d)
		}
		v.maxHorizon = d
		return nil
	})
}

// Storage rejects events outside [min, max], the instants a storage format
// can hold; give it once per format. Common ones: a signed 32-bit count of
// Unix seconds, time.Unix(math.MinInt32, 0) to time.Unix(math.MaxInt32, 0)
// (2038-01-19T03:14:07Z); RFC 3339 text, years 0000 to 9999 in UTC; int64
// milliseconds, time.UnixMilli(math.MinInt64) to time.UnixMilli(math.MaxInt64).
func Storage(min, max time.Time) ValidatorOption {
	return validatorOption(func(v *Validator) error {
		if max.Before(min) {
			return badInput("Storage(%s, %s): max before min", min.Format(time.RFC3339), max.Format(time.RFC3339))
		}
		v.ranges = append(v.ranges, timeRange{fmt.Sprintf("%s to %s", min.UTC().Format(time.RFC3339), max.UTC().Format(time.RFC3339)), min, max})
		return nil
	})
}

// Validator checks events before they are saved. Make one with
// NewValidator; it is safe for concurrent use.
type Validator struct {
	now        func() time.Time
	policy     Policy
	maxHorizon time.Duration
	ranges     []timeRange
}

// NewValidator returns a Validator that resolves wall times in gaps and
// overlaps by p. Reject asks the user rather than guessing for them.
func NewValidator(p Policy, opts ...ValidatorOption) (*Validator, error) {
	p, err := p.disambiguation()
	if err != nil {
		return nil, err
	}
	v := &Validator{now: time.Now, policy: p}
	for _, o := range opts {
		if o == nil {
			return nil, badInput("nil ValidatorOption")
		}
		if err := o.applyValidator(v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Validate checks an event entered as a wall time in a named zone, and
// returns it resolved, with Created set to now. Rules, in order: "zone"
// (LoadZone succeeds), "wall" (every field in range), "local-time" (the
// wall time resolves under the policy), "horizon" (not before now, at most
// MaxHorizon after it) and "storage" (within every Storage range). A
// failure names the rule and wraps ErrUnknownZone, ErrInvalidWall, ErrGap,
// ErrOverlap (a *LocalTimeError), ErrHorizon or ErrOutOfRange.
func (v *Validator) Validate(zone string, w Wall) (Event, error) {
	loc, err := LoadZone(zone)
	if err != nil {
		return Event{}, ruleError("zone", err)
	}
	if err := w.validate(); err != nil {
		return Event{}, ruleError("wall", err)
	}
	at, err := Resolve(w, loc, v.policy)
	if err != nil {
		return Event{}, ruleError("local-time", err)
	}
	ev := Event{At: at, Zone: zone, Created: v.now()}
	return ev, v.check(ev)
}

// check checks an already resolved event: "horizon" (ev.At is not before
// ev.Created, or now when that is zero, and at most MaxHorizon after it)
// and "storage" for each range.
func (v *Validator) check(ev Event) error {
	now := ev.Created
	if now.IsZero() {
		now = v.now()
	}
	if ev.At.Before(now) {
		return ruleError("horizon", fmt.Errorf("%w: %s is before now (%s)",
			ErrHorizon, ev.At.Format(time.RFC3339), now.Format(time.RFC3339)))
	}
	if v.maxHorizon > 0 && ev.At.Sub(now) > v.maxHorizon {
		return ruleError("horizon", fmt.Errorf("%w: %s is %s after now, more than the maximum %s",
			ErrHorizon, ev.At.Format(time.RFC3339), fmtDuration(ev.At.Sub(now)), fmtDuration(v.maxHorizon)))
	}
	for _, r := range v.ranges {
		if !r.contains(ev.At) {
			return ruleError("storage", fmt.Errorf("%w: %s is outside %s", ErrOutOfRange, ev.At.UTC().Format(time.RFC3339), r.Name))
		}
	}
	return nil
}

// Daily checks a recurring event "every day at hour:minute local time in
// zone" over the days from now to MaxHorizon (default 366 days), and
// returns each occurrence resolved by the policy, in order. Days whose
// hour:minute the policy cannot resolve (a gap or overlap under Reject),
// or whose instant fails a Storage range, have no occurrence; the error
// joins one failure per such day, each naming its rule as Validate does.
func (v *Validator) Daily(zone string, hour, minute int) ([]Event, error) {
	loc, err := LoadZone(zone)
	if err != nil {
		return nil, ruleError("zone", err)
	}
	if err := (Wall{2000, 1, 1, hour, minute, 0, 0}).validate(); err != nil {
		return nil, ruleError("wall", err)
	}
	now := v.now()
	until := now.Add(366 * 24 * time.Hour)
	if v.maxHorizon > 0 {
		until = now.Add(v.maxHorizon)
	}
	var out []Event
	var errs []error
	for d := wallOf(now.In(loc)).date().naive(); ; d = d.AddDate(0, 0, 1) {
		w := wallOf(d)
		w.Hour, w.Minute = hour, minute
		nominal, err := Resolve(w, loc, Compatible)
		if err != nil {
			return out, err // unreachable with consistent tzdata
		}
		if nominal.After(until) {
			break
		}
		at, err := Resolve(w, loc, v.policy)
		if err != nil {
			errs = append(errs, ruleError("local-time", err))
			continue
		}
		if at.Before(now) || at.After(until) {
			continue
		}
		ev := Event{At: at, Zone: zone, Created: now}
		if err := v.check(ev); err != nil {
			errs = append(errs, err)
			continue
		}
		if n := len(out); n > 0 && out[n-1].At.Equal(at) {
			continue // a skipped day maps two dates to one instant
		}
		out = append(out, ev)
	}
	return out, errors.Join(errs...)
}
