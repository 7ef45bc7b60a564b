package verify_test

import (
	"errors"
	"math"
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

// FuzzThresholdFloat: "x >= actual" declared as "x >= declared" fails
// exactly when the two differ, however close (one ulp) or far (±Inf).
func FuzzThresholdFloat(f *testing.F) {
	f.Add(0.5, 0.5)
	f.Add(0.5, math.Nextafter(0.5, 1))
	f.Add(math.Inf(1), math.MaxFloat64)
	f.Add(math.Inf(-1), -math.MaxFloat64)
	f.Add(0.0, math.Copysign(0, -1))
	f.Fuzz(func(t *testing.T, declared, actual float64) {
		if math.IsNaN(declared) || math.IsNaN(actual) {
			return
		}
		err := verify.Threshold(func(x float64) bool { return x >= actual }, declared, verify.AtLeast)
		if (err != nil) != (declared != actual) {
			t.Fatalf("declared %v, actual %v: %v", declared, actual, err)
		}
	})
}
