package verify

import (
	"fmt"

	"pgregory.net/rapid"
)

// Ordering checks that cmp is a strict weak ordering over values from gen,
// as slices.SortFunc, slices.BinarySearchFunc and sorted containers require:
//
//   - reflexivity: cmp(a, a) == 0;
//   - antisymmetry: the sign of cmp(a, b) is minus the sign of cmp(b, a);
//   - transitivity of <: cmp(a, b) < 0 and cmp(b, c) < 0 ⇒ cmp(a, c) < 0;
//   - transitivity of ==: cmp(a, b) == 0 and cmp(b, c) == 0 ⇒ cmp(a, c) == 0.
//
// It draws [DefaultBatches] batches of up to [DefaultBatchSize] values, each
// value a fresh draw, a copy of an earlier one (so ties occur) or an edge
// value, and checks every pair and triple of each batch. For integer, float,
// string and time.Time values it adds edge values by default (extreme
// integers, NaN, ±Inf, -0.0, "", letters differing in case, one instant in
// two zones); add more with [Edges].
//
// On a violation it returns a [*LawError] holding the minimal witness, shrunk
// by rapid, and the cmp results that show it. When the generator produced no
// two values that compare unequal, it returns a [*CoverageError]
// ([ErrVacuous]). Either way the [Report] counts the outcomes.
//
// Ordering does not tell a correct order from its reverse: pair it with
// [OrderedGroups] or [Same] against a reference, and prove the combination
// with [Sensitive].
func Ordering[T any](cmp func(a, b T) int, gen *rapid.Generator[T], opts ...Option) (Report, error) {
	if cmp == nil {
		return Report{}, fmt.Errorf("%w: Ordering: cmp is nil", ErrNilFunc)
	}
	return checkOrdering("ordering", relation[T]{cmp: cmp}, gen, opts)
}

// OrderingLess is [Ordering] for a less function (as sort.Slice and
// slices.SortFunc's older callers take): less must be irreflexive,
// asymmetric, transitive, and incomparability (neither less(a, b) nor
// less(b, a)) must be transitive.
func OrderingLess[T any](less func(a, b T) bool, gen *rapid.Generator[T], opts ...Option) (Report, error) {
	if less == nil {
		return Report{}, fmt.Errorf("%w: OrderingLess: less is nil", ErrNilFunc)
	}
	return checkOrdering("less ordering", relation[T]{less: less}, gen, opts)
}

func checkOrdering[T any](name string, f relation[T], gen *rapid.Generator[T], opts []Option) (Report, error) {
	if gen == nil {
		return Report{}, fmt.Errorf("%w: %s", ErrNilGenerator, name)
	}
	c := newConfig(opts)
	edges := edgesFor[T](c)
	if err := c.err(); err != nil {
		return Report{}, err
	}
	rep := Report{Counts: map[Class]int{}}
	var witness *LawError
	var m matrix
	runs, failed, err := run(&rep, c.batches, func(t *rapid.T, searching bool) (bool, error) {
		b, err := drawBatch(t, gen, edges, c.batchSize)
		if err != nil {
			return false, err
		}
		if w := f.fill(&m, b.vals); w != nil {
			witness = w
			return true, nil
		}
		if searching {
			rep.Drawn += b.drawn()
			countSigns(&m, &b, rep.Counts)
		}
		if w := f.laws(&m, b.vals); w != nil {
			witness = w
			return true, nil
		}
		return false, nil
	})
	switch {
	case err != nil:
		return rep, fmt.Errorf("verify: %s: %w", name, err)
	case failed:
		witness.Check, witness.Batches = name, runs
		return rep, witness
	}
	hint := "the generator never produced two values that compare unequal (a constant generator, or a comparator that returns 0)"
	return rep, covered(name, rep, map[Class]int{ClassLess: 1, ClassGreater: 1}, c.require,
		map[Class]string{ClassLess: hint, ClassGreater: hint, ClassEqual: "no two independently drawn values tied: draw from a smaller pool"})
}

// countSigns counts the signs of cmp between independent draws.
func countSigns[T any](m *matrix, b *batch[T], counts map[Class]int) {
	for i := 0; i < m.n; i++ {
		for j := i + 1; j < m.n; j++ {
			if !b.independent(i, j) {
				continue
			}
			switch m.sign(i, j) {
			case -1:
				counts[ClassLess]++
			case 0:
				counts[ClassEqual]++
			default:
				counts[ClassGreater]++
			}
		}
	}
}

// OrderingT calls [Ordering] and fails t with the witness on error.
func OrderingT[T any](t TB, cmp func(a, b T) int, gen *rapid.Generator[T], opts ...Option) {
	t.Helper()
	if _, err := Ordering(cmp, gen, opts...); err != nil {
		t.Errorf("%v", err)
	}
}

// OrderingLessT calls [OrderingLess] and fails t with the witness on error.
func OrderingLessT[T any](t TB, less func(a, b T) bool, gen *rapid.Generator[T], opts ...Option) {
	t.Helper()
	if _, err := OrderingLess(less, gen, opts...); err != nil {
		t.Errorf("%v", err)
	}
}
