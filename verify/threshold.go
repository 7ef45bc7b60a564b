package verify

import (
	"fmt"
	"time"

	"github.com/deploysafe/deploysafe/verify/internal/engine"
)

// A Bound says on which side of a boundary a predicate must hold.
type Bound int

// Bounds. The zero Bound is invalid.
const (
	AtLeast Bound = iota + 1 // pred(x) == (x >= boundary)
	Above                    // pred(x) == (x > boundary)
	AtMost                   // pred(x) == (x <= boundary)
	Below                    // pred(x) == (x < boundary)
)

// String returns the operator: ">=", ">", "<=" or "<".
func (b Bound) String() string {
	switch b {
	case AtLeast:
		return ">="
	case Above:
		return ">"
	case AtMost:
		return "<="
	case Below:
		return "<"
	}
	return fmt.Sprintf("Bound(%d)", int(b))
}

// want is the expected predicate value at x given c = sign(x - boundary).
func (b Bound) want(c int) bool {
	switch b {
	case AtLeast:
		return c >= 0
	case Above:
		return c > 0
	case AtMost:
		return c <= 0
	}
	return c < 0
}

// hint names the classic mistake for a wrong answer at the boundary itself.
func (b Bound) hint() string {
	switch b {
	case AtLeast:
		return "> written where >= was meant"
	case Above:
		return ">= written where > was meant"
	case AtMost:
		return "< written where <= was meant"
	}
	return "<= written where < was meant"
}

// A ThresholdError is the exact input where a predicate disagrees with its
// declared boundary.
type ThresholdError struct {
	// Input is the probe, formatted with %v; Value is the probe itself.
	Input string
	Value any
	// Got is pred(Value); want is its negation.
	Got bool
	// Rule is the declared rule, for example "x >= 10".
	Rule string
	// Hint names the likely mistake, for example "> written where >= was meant".
	Hint string
}

// Error shows the rule, the probe, the answer and the hint.
func (e *ThresholdError) Error() string {
	s := fmt.Sprintf("verify: threshold %s: pred(%s) = %t, want %t", e.Rule, e.Input, e.Got, !e.Got)
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	return s
}

// Unwrap returns [ErrViolation].
func (e *ThresholdError) Unwrap() error { return ErrViolation }

// Integer is the set of integer types [Threshold] probes, time.Duration
// included.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

// Threshold checks a predicate over integers (or durations) against its
// declared rule, for example x >= boundary: it probes boundary-1, boundary
// and boundary+1 (ε is 1, a nanosecond for time.Duration), then ±2 and the
// extremes of the type, and returns a [*ThresholdError] at the first probe
// that disagrees, the boundary itself first.
func Threshold[T Integer](pred func(T) bool, boundary T, bound Bound) error {
	if pred == nil {
		return fmt.Errorf("%w: Threshold: pred is nil", ErrNilFunc)
	}
	if bound < AtLeast || bound > Below {
		return fmt.Errorf("%w: Threshold: invalid %v", ErrBadInput, bound)
	}
	lo, hi := extremes[T]()
	probes := []T{boundary}
	add := func(d T, up bool) {
		if up && boundary <= hi-d {
			probes = append(probes, boundary+d)
		}
		if !up && boundary >= lo+d {
			probes = append(probes, boundary-d)
		}
	}
	add(1, false)
	add(1, true)
	add(2, false)
	add(2, true)
	probes = append(probes, lo, hi)
	cmp := func(x T) int {
		switch {
		case x < boundary:
			return -1
		case x > boundary:
			return 1
		}
		return 0
	}
	return probe(pred, probes, cmp, bound, fmt.Sprintf("x %v %v", bound, boundary))
}

// ThresholdTime is [Threshold] for instants: it probes boundary±1ns, the
// boundary itself, the same instant in other zones and without a monotonic
// reading (a predicate using == or a wall-clock field fails there), ±1s and
// the extremes (the zero Time and year 9999).
func ThresholdTime(pred func(time.Time) bool, boundary time.Time, bound Bound) error {
	if pred == nil {
		return fmt.Errorf("%w: ThresholdTime: pred is nil", ErrNilFunc)
	}
	if bound < AtLeast || bound > Below {
		return fmt.Errorf("%w: ThresholdTime: invalid %v", ErrBadInput, bound)
	}
	probes := []time.Time{
		boundary,
		boundary.Add(-time.Nanosecond),
		boundary.Add(time.Nanosecond),
		boundary.Round(0),
		boundary.UTC(),
		boundary.In(time.FixedZone("UTC+14", 14*3600)),
		boundary.In(time.FixedZone("UTC-12", -12*3600)),
		boundary.Add(-time.Second),
		boundary.Add(time.Second),
		{},
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
	}
	rule := fmt.Sprintf("t %v %v", bound, boundary.Round(0).Format(time.RFC3339Nano))
	return probe(pred, probes, func(x time.Time) int { return x.Compare(boundary) }, bound, rule)
}

func probe[T any](pred func(T) bool, probes []T, cmpB func(T) int, bound Bound, rule string) error {
	atBoundaryOK := false
	for _, x := range probes {
		c := cmpB(x)
		want := bound.want(c)
		var got bool
		if p := engine.Catch(func() { got = pred(x) }); p != nil {
			return fmt.Errorf("verify: threshold %s: pred(%v) panicked: %v", rule, x, p)
		}
		if got == want {
			atBoundaryOK = atBoundaryOK || c == 0
			continue
		}
		e := &ThresholdError{Input: fmt.Sprint(x), Value: x, Got: got, Rule: rule}
		switch {
		case c == 0 && atBoundaryOK:
			e.Hint = "the same instant in another representation (zone, monotonic reading) gets another answer: compare with Compare, Before, After or Equal, not == or wall-clock fields"
		case c == 0:
			e.Hint = bound.hint()
		case c < 0:
			e.Hint = "wrong below the boundary: boundary too low or comparison inverted"
		default:
			e.Hint = "wrong above the boundary: boundary too high or comparison inverted"
		}
		return e
	}
	return nil
}

// extremes returns the least and greatest values of T.
func extremes[T Integer]() (lo, hi T) {
	var zero T
	lo = zero - 1
	if lo > zero { // unsigned
		return zero, lo
	}
	// Signed: hi is 0111…1, found by shifting a one up until it overflows.
	hi = 1
	for hi<<1 > 0 {
		hi = hi<<1 | 1
	}
	return -hi - 1, hi
}

// ThresholdT calls [Threshold] and fails t with the input on error.
func ThresholdT[T Integer](t TB, pred func(T) bool, boundary T, bound Bound) {
	t.Helper()
	if err := Threshold(pred, boundary, bound); err != nil {
		t.Errorf("%v", err)
	}
}

// ThresholdTimeT calls [ThresholdTime] and fails t with the input on error.
func ThresholdTimeT(t TB, pred func(time.Time) bool, boundary time.Time, bound Bound) {
	t.Helper()
	if err := ThresholdTime(pred, boundary, bound); err != nil {
		t.Errorf("%v", err)
	}
}
