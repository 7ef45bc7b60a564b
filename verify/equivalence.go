package verify

import (
	"fmt"
	"time"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify/internal/engine"
)

// Equivalence checks that eq is an equivalence relation over values from
// gen: reflexive (eq(a, a)), symmetric and transitive. Edge values come
// first, every pair and triple of them, then random batches drawn as for
// [Ordering], every pair and triple checked.
//
// With [Order] it also checks that cmp(a, b) == 0 exactly when eq(a, b) (a
// case-insensitive order with a case-sensitive equality fails here); with
// [Key], that equal values have equal keys, as a hash must (Guava's
// EqualsTester idea).
//
// It returns a [*LawError] with the shrunk witness, or a [*CoverageError]
// when no two drawn values were unequal.
func Equivalence[T any](eq func(a, b T) bool, gen *rapid.Generator[T], opts ...Option) (Report, error) {
	const name = "equivalence"
	if eq == nil {
		return Report{}, fmt.Errorf("%w: Equivalence: eq is nil", ErrBadInput)
	}
	if gen == nil {
		return Report{}, fmt.Errorf("%w: %s: nil generator", ErrBadInput, name)
	}
	c := newConfig(opts)
	edges := edgesFor[T](c, gen)
	order := typed[func(a, b T) int](c, "Order", c.order)
	key := typed[func(T) any](c, "Key", c.key)
	if err := c.err(); err != nil {
		return Report{}, err
	}
	rep := Report{Edges: len(edges)}
	laws := func(vals []T) (w *LawError) {
		if p := engine.Catch(func() { w = equivalenceLaws(eq, order, key, vals) }); p != nil {
			w = &LawError{Law: "no panic", Values: anys(vals), Calls: []string{fmt.Sprintf("panic: %v", p)}}
		}
		return w
	}
	fail := func(w *LawError) (Report, error) {
		w.Checker, w.Report = name, rep
		return rep, w
	}
	start := time.Now()
	if w := laws(edges); w != nil {
		stampEdgeFailure(&rep, c, start)
		return fail(w)
	}
	edgeTime := time.Since(start)
	var witness *LawError
	failed, err := run(&rep, c, func(t *rapid.T, searching bool) (bool, error) {
		b := drawBatch(t, gen, edges, c.batchSize, c.neighbours())
		if w := laws(b.vals); w != nil {
			witness = w
			return true, nil
		}
		if searching {
			rep.Drawn += b.drawn()
			for i := range b.vals {
				for j := i + 1; j < len(b.vals); j++ {
					if b.independent(i, j) {
						if eq(b.vals[i], b.vals[j]) {
							rep.True++
						} else {
							rep.False++
						}
					}
				}
			}
		}
		return false, nil
	})
	rep.Search += edgeTime
	switch {
	case err != nil:
		return rep, fmt.Errorf("verify: %s: %w", name, err)
	case failed:
		return fail(witness)
	}
	return rep, covered(name, rep, Report{False: 1}, c,
		map[string]string{"false": "the generator never produced two unequal values", "true": "no two independently drawn values were equal: draw from a smaller pool"})
}

// equivalenceLaws returns the first broken law in vals, simplest first.
func equivalenceLaws[T any](eq func(a, b T) bool, order func(a, b T) int, key func(T) any, vals []T) *LawError {
	n := len(vals)
	e := make([]bool, n*n)
	for i := range vals {
		for j := range vals {
			e[i*n+j] = eq(vals[i], vals[j])
		}
	}
	at := func(i, j int) bool { return e[i*n+j] }
	w := func(law string, calls []string, idx ...int) *LawError {
		le := &LawError{Law: law, Calls: calls}
		for _, i := range idx {
			le.Values = append(le.Values, vals[i])
		}
		return le
	}
	for i := 0; i < n; i++ {
		if !at(i, i) {
			return w("reflexivity", []string{"eq(a, a) = false"}, i)
		}
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if at(i, j) != at(j, i) {
				return w("symmetry", []string{fmt.Sprintf("eq(a, b) = %t", at(i, j)), fmt.Sprintf("eq(b, a) = %t", at(j, i))}, i, j)
			}
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			for k := 0; at(i, j) && k < n; k++ {
				if at(j, k) && !at(i, k) {
					return w("transitivity", []string{"eq(a, b) = true", "eq(b, c) = true", "eq(a, c) = false"}, i, j, k)
				}
			}
		}
	}
	for i := 0; order != nil && i < n; i++ {
		for j := 0; j < n; j++ {
			if r := order(vals[i], vals[j]); (r == 0) != at(i, j) {
				return w("consistency with the order (cmp == 0 ⇔ eq)",
					[]string{fmt.Sprintf("eq(a, b) = %t", at(i, j)), fmt.Sprintf("cmp(a, b) = %+d", r)}, i, j)
			}
		}
	}
	for i := 0; key != nil && i < n; i++ {
		for j := 0; j < n; j++ {
			if ki, kj := key(vals[i]), key(vals[j]); at(i, j) && ki != kj {
				return w("consistency with the key (eq ⇒ key(a) == key(b))",
					[]string{"eq(a, b) = true", "key(a) = " + showValue(ki), "key(b) = " + showValue(kj)}, i, j)
			}
		}
	}
	return nil
}

func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// EquivalenceT calls [Equivalence] and fails t with the witness on error.
func EquivalenceT[T any](t TB, eq func(a, b T) bool, gen *rapid.Generator[T], opts ...Option) {
	t.Helper()
	if _, err := Equivalence(eq, gen, opts...); err != nil {
		t.Errorf("%v", err)
	}
}
