package verify

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/deploysafe/deploysafe/verify/internal/engine"
)

// Sensitive proves that test can fail: it derives broken variants
// (mutants) of the comparator cmp in-process, runs test against each, and
// returns a [*SensitivityError] listing every mutant test let pass. The
// mutants are:
//
//   - swapped arguments: cmp(b, a);
//   - negated result: -cmp(a, b);
//   - ties→less: 0 becomes -1 (the "<= used as <" mistake);
//   - less→less-or-equal: -1 becomes 0 (a strict less reported as a tie);
//   - constant 0 and constant -1;
//   - one flipped outcome: cmp(a, b) negated, in one argument order only,
//     for every a equivalent to the value test passed to cmp most often.
//
// Every check of this package that test calls without a [Seed] runs, for
// the original and for every mutant, with one seed that Sensitive picks
// (or -rapid.seed's): each mutant meets the same batches as the original,
// so whether it is caught does not depend on the seed or on how wide the
// generator is; while it runs the mutants, those checks stop at the first
// violation without shrinking it (only pass or fail counts). Calls of
// Sensitive run one at a time. The seed is pinned for the process, so a
// check without a Seed that runs in parallel with Sensitive (t.Parallel)
// takes it too: run Sensitive in a test that is not parallel.
//
// test must pass on cmp itself; otherwise Sensitive returns its error.
// [Ordering] alone cannot catch a swapped or negated comparator (the
// reverse of an order is an order), so a test that survives Sensitive
// combines it with [Groups] or a reference.
func Sensitive[T any](test func(cmp func(a, b T) int) error, cmp func(a, b T) int) error {
	if test == nil || cmp == nil {
		return fmt.Errorf("%w: Sensitive: test or cmp is nil", ErrBadInput)
	}
	sensitiveMu.Lock()
	defer sensitiveMu.Unlock()
	seed := engine.Seed()
	pinned.Lock()
	pinned.seed = seed
	pinned.Unlock()
	defer func() {
		pinned.Lock()
		pinned.seed, pinned.noShrink = 0, false
		pinned.Unlock()
	}()
	rec := &pairRecorder[T]{}
	if err := test(rec.wrap(cmp)); err != nil {
		return fmt.Errorf("verify: Sensitive: the test fails on the original comparator: %w", err)
	}
	a0, b0, ok := rec.top()
	type mutant struct {
		name string
		fn   func(a, b T) int
	}
	mutants := []mutant{
		{"swapped arguments", func(a, b T) int { return cmp(b, a) }},
		{"negated result", func(a, b T) int { return -cmp(a, b) }},
		{"ties→less", func(a, b T) int {
			if r := cmp(a, b); r != 0 {
				return r
			}
			return -1
		}},
		{"less→less-or-equal", func(a, b T) int {
			if r := cmp(a, b); r >= 0 {
				return r
			}
			return 0
		}},
		{"constant 0", func(a, b T) int { return 0 }},
		{"constant -1", func(a, b T) int { return -1 }},
	}
	var survivors, caught []string
	if ok {
		mutants = append(mutants, mutant{
			// The region is every cmp(a0, x), in that argument order only: a0
			// is the value the test used most, and with the seed pinned every
			// rerun of the test meets it again.
			fmt.Sprintf("one flipped outcome (cmp(a, b) negated for a ≡ %s, e.g. b ≡ %s)", showValue(a0), showValue(b0)),
			func(a, b T) int {
				r := cmp(a, b)
				if cmp(a, a0) == 0 {
					return -r
				}
				return r
			}})
	} else {
		survivors = append(survivors, "one flipped outcome (the test never passed two unequal values to cmp)")
	}
	pinned.Lock()
	pinned.noShrink = true
	pinned.Unlock()
	for _, m := range mutants {
		if test(m.fn) == nil {
			survivors = append(survivors, m.name)
		} else {
			caught = append(caught, m.name)
		}
	}
	if len(survivors) > 0 {
		return &SensitivityError{Survivors: survivors, Caught: caught, Seed: seed}
	}
	return nil
}

// sensitiveMu serializes Sensitive: each pins the seed of the checks its
// test runs.
var sensitiveMu sync.Mutex

// pairRecorder counts the unequal pairs a check passes to cmp. It runs on
// every call of the original test's comparator, so its key is the pair
// itself where == tells values apart exactly as their %#v text does
// (plain types: see plain), and that text only otherwise.
type pairRecorder[T any] struct {
	mu     sync.Mutex
	counts map[any]int
	first  map[any][2]T
	order  []any
}

func (r *pairRecorder[T]) wrap(cmp func(a, b T) int) func(a, b T) int {
	r.first, r.counts = map[any][2]T{}, map[any]int{}
	fast := plain(reflect.TypeFor[T]())
	return func(a, b T) int {
		res := cmp(a, b)
		if res == 0 {
			return res
		}
		var k any = [2]T{a, b}
		if !fast {
			k = fmt.Sprintf("%#v\x00%#v", a, b)
		}
		r.mu.Lock()
		if _, seen := r.first[k]; !seen {
			r.first[k] = [2]T{a, b}
			r.order = append(r.order, k)
		}
		r.counts[k]++
		r.mu.Unlock()
		return res
	}
}

// plain reports whether t is made of booleans, integers and strings only
// (in arrays and structs): then == is exactly equality of %#v text, with
// no NaN, -0, pointer or interface to tell them apart.
func plain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	case reflect.Array:
		return plain(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !plain(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// top returns the most frequent pair, the earliest on ties.
func (r *pairRecorder[T]) top() (a, b T, ok bool) {
	var best any
	for _, k := range r.order {
		if best == nil || r.counts[k] > r.counts[best] {
			best = k
		}
	}
	if best == nil {
		return a, b, false
	}
	p := r.first[best]
	return p[0], p[1], true
}
