package verify

import (
	"fmt"

	"github.com/deploysafe/deploysafe/verify/internal/engine"
)

// Groups checks a function on hand-written groups of values, like Guava's
// EqualsTester. f is an equality or a cmp function:
//
//   - eq (func(a, b T) bool): values in the same group must be equal,
//     values in different groups unequal;
//   - cmp (func(a, b T) int): values within a group compare equal (each
//     with itself too), and every value of group i compares less than every
//     value of group j > i, in both argument orders. Unlike [Ordering] this
//     catches a reversed comparator.
//
// With [Order] an eq's groups must also be in ascending order under the
// given cmp; with [Key], values of a group must share their key. Other
// options make it return [ErrBadOption].
//
// It returns a [*LawError] naming the two values and their groups.
func Groups[T any, F func(a, b T) bool | func(a, b T) int](f F, groups [][]T, opts ...Option) error {
	const name = "groups"
	var eq func(a, b T) bool
	var order func(a, b T) int
	switch f := any(f).(type) {
	case func(a, b T) bool:
		eq = f
	case func(a, b T) int:
		order = f
	}
	if eq == nil && order == nil {
		return fmt.Errorf("%w: Groups: the function is nil", ErrBadInput)
	}
	c := newConfig(opts)
	if o := typed[func(a, b T) int](c, "Order", c.order); o != nil {
		if order != nil {
			c.bad("Order: Groups already has a cmp")
		}
		order = o
	}
	key := typed[func(T) any](c, "Key", c.key)
	if c.batches != defaultBatches || c.batchSize != defaultBatchSize || c.edges != nil || c.noEdges ||
		c.intended != nil || c.cmpOpts != nil || c.require != (Report{}) || c.seed != 0 || c.allowVacuous {
		c.bad("Groups takes only Order and Key")
	}
	if err := c.err(); err != nil {
		return err
	}
	total := 0
	for i, g := range groups {
		if len(g) == 0 {
			return fmt.Errorf("%w: %s: group %d is empty", ErrBadInput, name, i)
		}
		total += len(g)
	}
	if total < 2 {
		return fmt.Errorf("%w: %s: need at least two values, got %d", ErrBadInput, name, total)
	}
	var w *LawError
	p := engine.Catch(func() { w = groupLaws(eq, order, key, groups) })
	if p != nil {
		return &LawError{Checker: name, Law: "no panic", Calls: []string{fmt.Sprintf("panic: %v", p)}}
	}
	if w != nil {
		w.Checker = name
		return w
	}
	return nil
}

func groupLaws[T any](eq func(a, b T) bool, order func(a, b T) int, key func(T) any, groups [][]T) *LawError {
	for gi, g := range groups {
		for xi, x := range g {
			for gj, h := range groups {
				for yi, y := range h {
					where := fmt.Sprintf("a = groups[%d][%d], b = groups[%d][%d]", gi, xi, gj, yi)
					if eq != nil {
						if got := eq(x, y); got != (gi == gj) {
							law := "equality within a group"
							if gi != gj {
								law = "inequality across groups"
							}
							return &LawError{Law: law, Values: []any{x, y}, Calls: []string{where, fmt.Sprintf("eq(a, b) = %t", got)}, Results: []int{b2i(got)}}
						}
					}
					if order != nil {
						want := sign(gi - gj)
						if got := order(x, y); sign(got) != want {
							law := "order across groups"
							if gi == gj {
								law = "cmp == 0 within a group"
							}
							return &LawError{Law: law, Values: []any{x, y}, Calls: []string{where, fmt.Sprintf("cmp(a, b) = %+d, want %+d", got, want)}, Results: []int{got}}
						}
					}
					if key != nil && gi == gj {
						if kx, ky := key(x), key(y); kx != ky {
							return &LawError{Law: "equal keys within a group", Values: []any{x, y},
								Calls: []string{where, "key(a) = " + showValue(kx), "key(b) = " + showValue(ky)}}
						}
					}
				}
			}
		}
	}
	return nil
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}
