package affected

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// ErrNoCheck marks an affected product that has no smoke check or plan.
var ErrNoCheck = errors.New("affected: affected product has no check")

// MissingChecksError lists the affected products without a check.
type MissingChecksError struct {
	Products []string // sorted
	Impacts  []Impact // why each of them is affected, in the same order
}

// Error lists the products and why they are affected.
func (e *MissingChecksError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "affected: %d affected product(s) without a check:", len(e.Products))
	for _, im := range e.Impacts {
		fmt.Fprintf(&b, "\n\t%s", im)
	}
	return b.String()
}

// Unwrap returns ErrNoCheck.
func (e *MissingChecksError) Unwrap() error { return ErrNoCheck }

// RequireChecks returns a *MissingChecksError when an affected product has no
// entry in checks (a smoke check, a rollout plan… keyed by product), or only
// a nil one (nil func, pointer, map, slice, interface or channel). This is
// the Distributor gap: a product released by a shared change that nobody
// checks. nil impacts need no check.
func RequireChecks[V any](impacts []Impact, checks map[string]V) error {
	var missing []Impact
	seen := map[string]bool{}
	for _, im := range impacts {
		if v, ok := checks[im.Product]; (ok && !isNil(v)) || seen[im.Product] {
			continue
		}
		seen[im.Product] = true
		missing = append(missing, im)
	}
	if len(missing) == 0 {
		return nil
	}
	slices.SortStableFunc(missing, func(a, b Impact) int { return strings.Compare(a.Product, b.Product) })
	e := &MissingChecksError{Impacts: missing}
	for _, im := range missing {
		e.Products = append(e.Products, im.Product)
	}
	return e
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Func, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Chan:
		return rv.IsNil()
	}
	return false
}
