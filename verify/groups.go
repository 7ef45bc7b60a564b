package verify

import (
	"fmt"

	"github.com/deploysafe/deploysafe/verify/internal/engine"
)

// Groups checks hand-written cases, like Guava's EqualsTester: values in the
// same group must be equal under eq, values in different groups unequal.
// With [WithOrder] the groups must also be in ascending order (every value
// of group i less than every value of group j > i, cmp == 0 within a group);
// with [WithKey], values of a group must share their key. Other options are
// ignored.
//
// It returns a [*LawError] naming the two values and their groups.
func Groups[T any](eq func(a, b T) bool, groups [][]T, opts ...Option) error {
	if eq == nil {
		return fmt.Errorf("%w: Groups: eq is nil", ErrNilFunc)
	}
	c := newConfig(opts)
	order := typed[func(a, b T) int](c, "WithOrder", c.order)
	key := typed[func(T) any](c, "WithKey", c.key)
	if err := c.err(); err != nil {
		return err
	}
	return checkGroups("groups", eq, order, key, groups)
}

// OrderedGroups checks a comparator on hand-written cases: values within a
// group compare equal (each with itself too), and every value of group i
// compares less than every value of group j > i, in both argument orders.
// Unlike [Ordering] it catches a reversed comparator.
func OrderedGroups[T any](cmp func(a, b T) int, groups [][]T) error {
	if cmp == nil {
		return fmt.Errorf("%w: OrderedGroups: cmp is nil", ErrNilFunc)
	}
	return checkGroups("ordered groups", nil, cmp, nil, groups)
}

func checkGroups[T any](name string, eq func(a, b T) bool, order func(a, b T) int, key func(T) any, groups [][]T) error {
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
		return &LawError{Check: name, Law: "no panic", Calls: []string{fmt.Sprintf("panic: %v", p)}}
	}
	if w != nil {
		w.Check = name
		return w
	}
	return nil
}

// GroupsT calls [Groups] and fails t with the witness on error.
func GroupsT[T any](t TB, eq func(a, b T) bool, groups [][]T, opts ...Option) {
	t.Helper()
	if err := Groups(eq, groups, opts...); err != nil {
		t.Errorf("%v", err)
	}
}

// OrderedGroupsT calls [OrderedGroups] and fails t with the witness on error.
func OrderedGroupsT[T any](t TB, cmp func(a, b T) int, groups [][]T) {
	t.Helper()
	if err := OrderedGroups(cmp, groups); err != nil {
		t.Errorf("%v", err)
	}
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
