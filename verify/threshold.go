package verify

import (
	"cmp"
	"fmt"
	"math"
	"reflect"
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

// Threshold checks a predicate against its declared rule, for example
// x >= boundary, at the boundary's neighbours and the extremes of the type,
// and returns a [*LawError] at the first probe that disagrees, the boundary
// itself first. It probes, by type:
//
//   - integers (time.Duration included): boundary±1 and ±2, the extremes;
//   - floats: one and two ulps on either side, ±MaxFloat and ±Inf;
//   - strings: the next string (boundary+"\x00"), one just below, "";
//   - time.Time: ±1ns, the same instant in other zones and without a
//     monotonic reading (a predicate using == or a wall-clock field fails
//     there), ±1s, the zero Time and year 9999.
//
// For other types, [ThresholdFunc] takes the neighbours from the caller.
func Threshold[T cmp.Ordered | time.Time](pred func(T) bool, boundary T, bound Bound) error {
	if pred == nil {
		return fmt.Errorf("%w: Threshold: pred is nil", ErrBadInput)
	}
	if bound < AtLeast || bound > Below {
		return fmt.Errorf("%w: Threshold: invalid %v", ErrBadInput, bound)
	}
	if t, ok := any(boundary).(time.Time); ok {
		return thresholdTime(any(pred).(func(time.Time) bool), t, bound)
	}
	b := reflect.ValueOf(boundary)
	if (b.Kind() == reflect.Float32 || b.Kind() == reflect.Float64) && math.IsNaN(b.Float()) {
		return fmt.Errorf("%w: Threshold: the boundary is NaN", ErrBadInput)
	}
	var probes []T
	for _, p := range orderedProbes(b) {
		probes = append(probes, p.Interface().(T))
	}
	return probe(pred, probes, func(x T) int { return compareValues(reflect.ValueOf(x), b) }, bound,
		fmt.Sprintf("x %v %v", bound, boundary))
}

// ThresholdFunc is [Threshold] for any ordered type: cmp orders it, prev
// and next return a value's neighbours (for a version type: the previous
// and next patch release, say). It probes the boundary, its neighbours and
// theirs.
func ThresholdFunc[T any](pred func(T) bool, boundary T, bound Bound, cmp func(a, b T) int, prev, next func(T) T) error {
	if pred == nil || cmp == nil || prev == nil || next == nil {
		return fmt.Errorf("%w: ThresholdFunc: pred, cmp, prev or next is nil", ErrBadInput)
	}
	if bound < AtLeast || bound > Below {
		return fmt.Errorf("%w: ThresholdFunc: invalid %v", ErrBadInput, bound)
	}
	probes := []T{boundary}
	var bad error
	if p := engine.Catch(func() {
		p1, n1 := prev(boundary), next(boundary)
		switch {
		case cmp(p1, boundary) >= 0:
			bad = fmt.Errorf("%w: ThresholdFunc: prev(%s) is not below it", ErrBadInput, showValue(boundary))
		case cmp(n1, boundary) <= 0:
			bad = fmt.Errorf("%w: ThresholdFunc: next(%s) is not above it", ErrBadInput, showValue(boundary))
		}
		probes = append(probes, p1, n1, prev(p1), next(n1))
	}); p != nil {
		return fmt.Errorf("%w: ThresholdFunc: prev or next panicked: %v", ErrBadInput, p)
	}
	if bad != nil {
		return bad
	}
	return probe(pred, probes, func(x T) int { return cmp(x, boundary) }, bound,
		fmt.Sprintf("x %v %s", bound, showValue(boundary)))
}

// thresholdTime probes an instant's neighbours and representations.
func thresholdTime(pred func(time.Time) bool, boundary time.Time, bound Bound) error {
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
			return &LawError{Checker: "threshold", Law: "no panic", Values: []any{x},
				Calls: []string{fmt.Sprintf("pred(a) panicked: %v", p)}, Hint: "rule " + rule}
		}
		if got == want {
			atBoundaryOK = atBoundaryOK || c == 0
			continue
		}
		e := &LawError{Checker: "threshold", Law: rule, Values: []any{x},
			Calls: []string{fmt.Sprintf("pred(a) = %t, want %t", got, want)}, Results: []int{b2i(got)}}
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
