package verify

import (
	"reflect"

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

// independent reports whether elements i and j are separate draws from the
// generator: only those pairs count towards coverage.
func (b *batch[T]) independent(i, j int) bool {
	return b.origin[i] >= 0 && b.origin[j] >= 0 && b.origin[i] != b.origin[j]
}

// drawBatch draws a batch of 1..size values. A panic in the generator
// reaches engine.Run, which reports it (rapid's invalid-data panics, raised
// whenever the shrinker's buffer runs out, are too frequent to catch here).
func drawBatch[T any](t *rapid.T, gen *rapid.Generator[T], edges []T, size int) (b batch[T]) {
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
	return b
}

// drawInput draws one input for Same: mostly fresh, sometimes an edge value.
func drawInput[T any](t *rapid.T, gen *rapid.Generator[T], edges []T) T {
	if len(edges) > 0 && rapid.IntRange(0, 3).Draw(t, "kind") == 3 {
		return edges[rapid.IntRange(0, len(edges)-1).Draw(t, "edge")]
	}
	return gen.Draw(t, "input")
}

// The kinds of pair drawPair draws.
const (
	pairEqual = iota // b is a copy of a
	pairNear         // b is a neighbour of a
	pairFresh        // a and b are separate draws
	pairEdge         // one half is an edge value
)

// drawPair draws a pair for SamePairs: equal halves, neighbouring halves,
// two fresh draws or a draw and an edge value, each about as often.
func drawPair[T any](t *rapid.T, gen *rapid.Generator[T], edges []T) ([2]T, int) {
	a := gen.Draw(t, "a")
	kind := rapid.IntRange(pairEqual, pairEdge).Draw(t, "kind")
	switch {
	case kind == pairEqual:
		return [2]T{a, a}, pairEqual
	case kind == pairNear:
		k := rapid.IntRange(0, 7).Draw(t, "near")
		if n, ok := near(reflect.ValueOf(&a).Elem(), k); ok {
			b := n.Interface().(T)
			if rapid.Bool().Draw(t, "swap") {
				return [2]T{b, a}, pairNear
			}
			return [2]T{a, b}, pairNear
		}
	case kind == pairEdge && len(edges) > 0:
		e := edges[rapid.IntRange(0, len(edges)-1).Draw(t, "edge")]
		if rapid.Bool().Draw(t, "swap") {
			return [2]T{e, a}, pairEdge
		}
		return [2]T{a, e}, pairEdge
	}
	return [2]T{a, gen.Draw(t, "b")}, pairFresh
}

// showValue formats a witness value with go-cmp's reporter.
func showValue(v any) string { return show.Value(v) }
