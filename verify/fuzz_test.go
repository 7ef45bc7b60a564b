package verify_test

import (
	"errors"
	"testing"

	"github.com/deploysafe/deploysafe/verify"
)

// FuzzThreshold checks Threshold against an exact oracle: a predicate
// "x >= actual" declared as "x >= declared" must fail exactly when the two
// boundaries differ, at any boundary including the extremes.
func FuzzThreshold(f *testing.F) {
	f.Add(int64(10), int64(10))
	f.Add(int64(10), int64(11))
	f.Add(int64(-9223372036854775808), int64(-9223372036854775807))
	f.Add(int64(9223372036854775807), int64(9223372036854775806))
	f.Fuzz(func(t *testing.T, declared, actual int64) {
		err := verify.Threshold(func(x int64) bool { return x >= actual }, declared, verify.AtLeast)
		if (err != nil) != (declared != actual) {
			t.Fatalf("declared %d, actual %d: %v", declared, actual, err)
		}
		if err != nil && !errors.Is(err, verify.ErrViolation) {
			t.Fatalf("error does not wrap ErrViolation: %v", err)
		}
	})
}
