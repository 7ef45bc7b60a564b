package verify

import (
	"reflect"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify/internal/show"
)

// A batch is a few values drawn so that ties occur: each element is a fresh
// draw from the generator, a copy of an earlier element (a forced tie) or an
// edge value, or a neighbour of an earlier element (see near). origin[i] is
// the index of the fresh draw element i copies, -1 for an edge value or
// nearOrigin for a neighbour.
type batch[T any] struct {
	vals   []T
	origin []int
}

// nearOrigin marks a neighbour of an earlier element in batch.origin.
const nearOrigin = -2

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

// The generators of fixed ranges, built once: building one per draw was a
// tenth of a check's time. A generator holds no state between draws.
var (
	drawKind       = rapid.IntRange(0, 2)
	drawNeighbours = rapid.IntRange(maxNeighbours-2, maxNeighbours)
	drawBool       = rapid.Bool()
	drawEdit       = rapid.IntRange(0, 1<<12)
	drawInputKind  = rapid.IntRange(0, 3)
	drawPairKind   = rapid.IntRange(pairEqual, pairEdge)
	drawPairEdit   = rapid.IntRange(0, 7)
)

// drawBatch draws a batch of 1..size values. A panic in the generator
// reaches engine.Run, which reports it (rapid's invalid-data panics, raised
// whenever the shrinker's buffer runs out, are too frequent to catch here).
func drawBatch[T any](t *rapid.T, gen *rapid.Generator[T], edges []T, size int, neighbours bool) (b batch[T]) {
	n := rapid.IntRange(1, size).Draw(t, "n")
	b.vals = make([]T, 0, n)
	b.origin = make([]int, 0, n)
	for i := 0; i < n; i++ {
		kind := drawKind.Draw(t, "kind")
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
	if neighbours {
		addNeighbours(t, &b)
	}
	return b
}

// maxNeighbours bounds the neighbours added to a batch: its pairs and
// triples then cost at most (8+8)³/8³ = 8 times a batch's without.
const maxNeighbours = 8

// addNeighbours appends to b up to maxNeighbours values near one of its
// elements (see near), each a neighbour of that element or of the
// neighbour before it: values that share everything but one part, which
// independent draws almost never give, so that the laws are checked on
// their pairs and triples.
func addNeighbours[T any](t *rapid.T, b *batch[T]) {
	m := drawNeighbours.Draw(t, "neighbours")
	var fresh []int // the base is a fresh draw when there is one
	for i, o := range b.origin {
		if o == i {
			fresh = append(fresh, i)
		}
	}
	if len(fresh) == 0 {
		fresh = []int{0}
	}
	base := b.vals[fresh[rapid.IntRange(0, len(fresh)-1).Draw(t, "base")]]
	prev := base
	for range m {
		from := base
		if drawBool.Draw(t, "chain") {
			from = prev
		}
		v := from
		if x, ok := near(reflect.ValueOf(&v).Elem(), drawEdit.Draw(t, "near")); ok {
			v = x.Interface().(T)
		}
		b.vals = append(b.vals, v)
		b.origin = append(b.origin, nearOrigin)
		prev = v
	}
}

// drawInput draws one input for Same: mostly fresh, sometimes an edge value.
func drawInput[T any](t *rapid.T, gen *rapid.Generator[T], edges []T) T {
	if len(edges) > 0 && drawInputKind.Draw(t, "kind") == 3 {
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
	kind := drawPairKind.Draw(t, "kind")
	switch {
	case kind == pairEqual:
		return [2]T{a, a}, pairEqual
	case kind == pairNear:
		k := drawPairEdit.Draw(t, "near")
		if n, ok := near(reflect.ValueOf(&a).Elem(), k); ok {
			b := n.Interface().(T)
			if drawBool.Draw(t, "swap") {
				return [2]T{b, a}, pairNear
			}
			return [2]T{a, b}, pairNear
		}
	case kind == pairEdge && len(edges) > 0:
		e := edges[rapid.IntRange(0, len(edges)-1).Draw(t, "edge")]
		if drawBool.Draw(t, "swap") {
			return [2]T{e, a}, pairEdge
		}
		return [2]T{a, e}, pairEdge
	}
	return [2]T{a, gen.Draw(t, "b")}, pairFresh
}

// showValue formats a witness value with go-cmp's reporter.
func showValue(v any) string { return show.Value(v) }
