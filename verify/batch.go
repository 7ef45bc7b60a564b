package verify

import (
	"fmt"
	"math"
	"reflect"
	"time"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify/internal/show"
)

// A batch is a few values drawn so that ties occur: each element is a fresh
// draw from the generator, a copy of an earlier element (a forced tie) or an
// edge value. origin[i] is the index of the fresh draw element i copies, or
// -1 for an edge value.
type batch[T any] struct {
	vals   []T
	origin []int
}

// independent reports whether elements i and j are separate draws from the
// generator: only those pairs count towards coverage.
// drawn counts the fresh draws.
func (b *batch[T]) drawn() int {
	n := 0
	for i, o := range b.origin {
		if o == i {
			n++
		}
	}
	return n
}

func (b *batch[T]) independent(i, j int) bool {
	return b.origin[i] >= 0 && b.origin[j] >= 0 && b.origin[i] != b.origin[j]
}

// drawBatch draws a batch of 1..size values. A panic in the generator
// reaches engine.Run, which reports it (rapid's invalid-data panics, raised
// whenever the shrinker's buffer runs out, are too frequent to catch here).
func drawBatch[T any](t *rapid.T, gen *rapid.Generator[T], edges []T, size int) (b batch[T], err error) {
	n := rapid.IntRange(1, size).Draw(t, "n")
	b.vals = make([]T, 0, n)
	b.origin = make([]int, 0, n)
	for i := 0; i < n; i++ {
		kind := rapid.IntRange(0, 2).Draw(t, "kind")
		switch {
		case kind == 1 && i > 0:
			j := rapid.IntRange(0, i-1).Draw(t, "dup")
			b.vals = append(b.vals, b.vals[j])
			b.origin = append(b.origin, b.origin[j])
		case kind == 2 && len(edges) > 0:
			e := rapid.IntRange(0, len(edges)-1).Draw(t, "edge")
			b.vals = append(b.vals, edges[e])
			b.origin = append(b.origin, -1)
		default:
			b.vals = append(b.vals, gen.Draw(t, "v"))
			b.origin = append(b.origin, i)
		}
	}
	return b, nil
}

// edgesFor collects the edge values for T: verify's defaults (unless
// NoDefaultEdges) and those given with Edges.
func edgesFor[T any](c *config) []T {
	var out []T
	if !c.noEdges {
		out = defaultEdges[T]()
	}
	for _, e := range c.edges {
		vs, ok := e.([]T)
		if !ok {
			var zero T
			c.errs = append(c.errs, fmt.Errorf("%w: Edges of %T given to a check of %T", ErrBadOption, e, zero))
			continue
		}
		out = append(out, vs...)
	}
	return out
}

// defaultEdges returns the classic trouble-makers for T's kind: extreme
// integers (where a-b overflows), NaN, ±Inf and -0.0, the empty string and
// letters differing only in case, and one instant in two time zones.
func defaultEdges[T any]() []T {
	var zero T
	if _, ok := any(zero).(time.Time); ok {
		epoch := time.Unix(0, 0).UTC()
		ts := []time.Time{{}, epoch, epoch.In(time.FixedZone("UTC+1", 3600)), epoch.Add(time.Nanosecond)}
		out := make([]T, len(ts))
		for i, t := range ts {
			out[i] = any(t).(T)
		}
		return out
	}
	rt := reflect.TypeOf(zero)
	if rt == nil {
		return nil
	}
	var raw []reflect.Value
	set := func(f func(v reflect.Value)) {
		v := reflect.New(rt).Elem()
		f(v)
		raw = append(raw, v)
	}
	switch rt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := rt.Bits()
		lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
		for _, x := range []int64{lo, lo + 1, -1, 0, 1, hi} {
			set(func(v reflect.Value) { v.SetInt(x) })
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		hi := uint64(math.MaxUint64) >> (64 - rt.Bits())
		for _, x := range []uint64{0, 1, hi - 1, hi} {
			set(func(v reflect.Value) { v.SetUint(x) })
		}
	case reflect.Float32, reflect.Float64:
		for _, x := range []float64{math.NaN(), math.Copysign(0, -1), 0, 1, math.Inf(1), math.Inf(-1), -math.MaxFloat32} {
			set(func(v reflect.Value) { v.SetFloat(x) })
		}
	case reflect.String:
		for _, x := range []string{"", "a", "A", "B"} {
			set(func(v reflect.Value) { v.SetString(x) })
		}
	default:
		return nil
	}
	out := make([]T, len(raw))
	for i, v := range raw {
		out[i] = v.Interface().(T)
	}
	return out
}

// showValue formats a witness value with go-cmp's reporter.
func showValue(v any) string { return show.Value(v) }
