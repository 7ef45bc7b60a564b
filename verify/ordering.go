package verify

import (
	"fmt"
	"time"

	"pgregory.net/rapid"
)

// Ordering checks that f is a strict weak ordering over values from gen, as
// slices.SortFunc, slices.BinarySearchFunc and sorted containers require. f
// is a cmp function (func(a, b T) int) or a less function (func(a, b T)
// bool, as sort.Slice takes). For a cmp:
//
//   - reflexivity: cmp(a, a) == 0;
//   - antisymmetry: the sign of cmp(a, b) is minus the sign of cmp(b, a);
//   - transitivity of <: cmp(a, b) < 0 and cmp(b, c) < 0 ⇒ cmp(a, c) < 0;
//   - transitivity of ==: cmp(a, b) == 0 and cmp(b, c) == 0 ⇒ cmp(a, c) == 0.
//
// A less function must be irreflexive, asymmetric and transitive, and
// incomparability (neither less(a, b) nor less(b, a)) must be transitive.
//
// First it checks every pair and triple of the edge values: the defaults
// for T (see the package documentation, including edge values put into the
// fields of a struct) and those given with [Edges]. This phase does not
// depend on any seed. Then it draws 100 random batches (see [Batches]) of up
// to 8 values ([BatchSize]), each value a fresh draw, a copy of an earlier
// one (so ties occur) or an edge value, and checks every pair and triple of
// each batch.
//
// On a violation it returns a [*LawError] holding the minimal witness,
// shrunk by rapid, the results that show it and a rerun ([Seed]). When the
// generator produced no two values that compare unequal, it returns a
// [*CoverageError] ([ErrVacuous]). Either way the [Report] counts the
// outcomes.
//
// Ordering does not tell a correct order from its reverse: pair it with
// [Groups] or [Same] against a reference, and prove the combination with
// [Sensitive].
func Ordering[T any, F func(a, b T) int | func(a, b T) bool](f F, gen *rapid.Generator[T], opts ...Option) (Report, error) {
	var rel relation[T]
	switch f := any(f).(type) {
	case func(a, b T) int:
		rel.cmp = f
	case func(a, b T) bool:
		rel.less = f
	}
	if rel.cmp == nil && rel.less == nil {
		return Report{}, fmt.Errorf("%w: Ordering: the function is nil", ErrBadInput)
	}
	name := "ordering"
	if rel.less != nil {
		name = "less ordering"
	}
	if gen == nil {
		return Report{}, fmt.Errorf("%w: %s: nil generator", ErrBadInput, name)
	}
	c := newConfig(opts)
	edges := edgesFor[T](c, gen)
	if err := c.err(); err != nil {
		return Report{}, err
	}
	rep := Report{Edges: len(edges)}
	var m matrix
	fail := func(w *LawError) (Report, error) {
		w.Checker, w.Report = name, rep
		return rep, w
	}
	start := time.Now()
	if w := rel.check(&m, edges); w != nil {
		stampEdgeFailure(&rep, c, start)
		return fail(w)
	}
	edgeTime := time.Since(start)
	var witness *LawError
	failed, err := run(&rep, c, func(t *rapid.T, searching bool) (bool, error) {
		b := drawBatch(t, gen, edges, c.batchSize, c.neighbours())
		if w := rel.fill(&m, b.vals); w != nil {
			witness = w
			return true, nil
		}
		if searching {
			rep.Drawn += b.drawn()
			countSigns(&m, &b, &rep)
		}
		if w := rel.laws(&m, b.vals); w != nil {
			witness = w
			return true, nil
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
	hint := "the generator never produced two values that compare unequal (a constant generator, or a comparator that returns 0)"
	return rep, covered(name, rep, Report{Less: 1, Greater: 1}, c,
		map[string]string{"less": hint, "greater": hint, "equal": "no two independently drawn values tied: draw from a smaller pool"})
}

// countSigns counts the signs of cmp between independent draws.
func countSigns[T any](m *matrix, b *batch[T], rep *Report) {
	for i := 0; i < m.n; i++ {
		for j := i + 1; j < m.n; j++ {
			if !b.independent(i, j) {
				continue
			}
			switch m.sign(i, j) {
			case -1:
				rep.Less++
			case 0:
				rep.Equal++
			default:
				rep.Greater++
			}
		}
	}
}

// OrderingT calls [Ordering] and fails t with the witness on error.
func OrderingT[T any, F func(a, b T) int | func(a, b T) bool](t TB, f F, gen *rapid.Generator[T], opts ...Option) {
	t.Helper()
	if _, err := Ordering(f, gen, opts...); err != nil {
		t.Errorf("%v", err)
	}
}
