package verify

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
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
//   - integers (time.Duration included): boundary ±1 … ±8 and ±(2^k−1),
//     ±2^k, ±(2^k+1) (a predicate wrong only far away), the extremes;
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
// and next patch release, say). It probes the boundary, then values at
// growing distances on either side: every step up to 8, 2^k−1, 2^k and
// 2^k+1 steps up to 4,096, 16 fixed pseudo-random distances in between,
// and the farthest value reached, nearest first; after a wrong answer
// every nearer step is probed too, so the witness is the nearest wrong
// value. A walk stops early where prev or next stops moving away (the end
// of the range) or panics there. The cost is at most 4,096 calls each of
// prev and next and about 100 of pred (up to 2d more after a failure d
// steps away). Values d steps away must be valid for pred: a prev that
// runs below a type's range (patch −1) should stop there (return its
// argument).
func ThresholdFunc[T any](pred func(T) bool, boundary T, bound Bound, cmp func(a, b T) int, prev, next func(T) T) error {
	if pred == nil || cmp == nil || prev == nil || next == nil {
		return fmt.Errorf("%w: ThresholdFunc: pred, cmp, prev or next is nil", ErrBadInput)
	}
	if bound < AtLeast || bound > Below {
		return fmt.Errorf("%w: ThresholdFunc: invalid %v", ErrBadInput, bound)
	}
	var bad error
	if p := engine.Catch(func() {
		p1, n1 := prev(boundary), next(boundary)
		switch {
		case cmp(p1, boundary) >= 0:
			bad = fmt.Errorf("%w: ThresholdFunc: prev(%s) is not below it", ErrBadInput, showValue(boundary))
		case cmp(n1, boundary) <= 0:
			bad = fmt.Errorf("%w: ThresholdFunc: next(%s) is not above it", ErrBadInput, showValue(boundary))
		}
	}); p != nil {
		return fmt.Errorf("%w: ThresholdFunc: prev or next panicked: %v", ErrBadInput, p)
	}
	if bad != nil {
		return bad
	}
	below := walk(boundary, prev, func(x, from T) bool { return cmp(x, from) < 0 })
	above := walk(boundary, next, func(x, from T) bool { return cmp(x, from) > 0 })
	at := func(ds []int) []T { // the values ds steps away, nearest first, above before below
		var ps []T
		for _, d := range ds {
			if d <= len(above) {
				ps = append(ps, above[d-1])
			}
			if d <= len(below) {
				ps = append(ps, below[d-1])
			}
		}
		return ps
	}
	cmpB := func(x T) int { return cmp(x, boundary) }
	rule := fmt.Sprintf("x %v %s", bound, showValue(boundary))
	ds := distances(max(len(below), len(above)))
	err := probe(pred, append([]T{boundary}, at(ds)...), cmpB, bound, rule)
	var le *LawError
	if !errors.As(err, &le) {
		return err
	}
	// Wrong d steps away: every nearer step, on both sides, is worth its
	// pred call, for the nearest witness (a failure costs at most 2d).
	if d := stepsTo(le.Values[0].(T), below, above, cmp); d > 1 {
		if nearer := probe(pred, at(seq(1, d-1)), cmpB, bound, rule); nearer != nil {
			return nearer
		}
	}
	return err
}

// stepsTo returns how many steps from the boundary x lies (1 for the
// first element of below or above), or 0 for the boundary itself.
func stepsTo[T any](x T, below, above []T, cmp func(a, b T) int) int {
	for i := range max(len(below), len(above)) {
		if i < len(above) && cmp(above[i], x) == 0 || i < len(below) && cmp(below[i], x) == 0 {
			return i + 1
		}
	}
	return 0
}

// seq returns lo, lo+1, … hi.
func seq(lo, hi int) []int {
	var out []int
	for d := lo; d <= hi; d++ {
		out = append(out, d)
	}
	return out
}

// maxSteps bounds how far ThresholdFunc walks from the boundary each way.
const maxSteps = 1 << 12

// walk returns the values 1, 2, … maxSteps steps from boundary, stopping
// before a step that does not move away (away(x, from) false) or panics.
func walk[T any](boundary T, step func(T) T, away func(x, from T) bool) []T {
	var out []T
	cur := boundary
	for len(out) < maxSteps {
		var x T
		ok := false
		if engine.Catch(func() { x = step(cur); ok = away(x, cur) }) != nil || !ok {
			break
		}
		out = append(out, x)
		cur = x
	}
	return out
}

// distances returns the step counts ThresholdFunc probes when the walks
// reached n steps, ascending: 1…8, 2^k−1, 2^k, 2^k+1, 16 pseudo-random
// ones (fixed, so a check gives the same answer on every run) and n.
func distances(n int) []int {
	var ds []int
	for d := 1; d <= 8; d++ {
		ds = append(ds, d)
	}
	for p := 16; p <= maxSteps; p *= 2 {
		ds = append(ds, p-1, p, p+1)
	}
	if n > 8 {
		r := rand.New(rand.NewPCG(0x7e5f, 0x1d))
		for range 16 {
			ds = append(ds, 9+r.IntN(n-8))
		}
	}
	ds = append(ds, n)
	ds = slices.DeleteFunc(ds, func(d int) bool { return d < 1 || d > n })
	slices.Sort(ds)
	return slices.Compact(ds)
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
