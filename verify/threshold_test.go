package verify_test

import (
	"cmp"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/verify"
)

func TestThresholdCatchesStrictness(t *testing.T) {
	err := verify.Threshold(func(n int) bool { return n > 10 }, 10, verify.AtLeast)
	var te *verify.LawError
	if !errors.As(err, &te) || te.Values[0] != 10 || te.Results[0] == 1 || !strings.Contains(te.Hint, "> written where >=") {
		t.Fatalf("got %v", err)
	}
	err = verify.Threshold(func(n int) bool { return n <= 10 }, 10, verify.Below)
	if !errors.As(err, &te) || te.Values[0] != 10 || !strings.Contains(te.Hint, "<= written where <") {
		t.Fatalf("got %v", err)
	}
	err = verify.Threshold(func(n int) bool { return n >= 11 }, 10, verify.AtLeast)
	if !errors.As(err, &te) || te.Values[0] != 10 {
		t.Fatalf("off by one: %v", err)
	}
	err = verify.Threshold(func(n int) bool { return n >= 9 }, 10, verify.AtLeast)
	if !errors.As(err, &te) || te.Values[0] != 9 || !strings.Contains(te.Hint, "below") {
		t.Fatalf("off by one below: %v", err)
	}
}

func TestThresholdExtremes(t *testing.T) {
	// Overflow: "x+1 > limit" is wrong at MaxInt.
	err := verify.Threshold(func(n int) bool { return n+1 > 11 }, 11, verify.AtLeast)
	var te *verify.LawError
	if !errors.As(err, &te) || te.Values[0] != math.MaxInt {
		t.Fatalf("overflow at MaxInt: %v", err)
	}
	must(t, verify.Threshold(func(n uint8) bool { return n < 255 }, 255, verify.Below))
	lo := int8(math.MinInt8) // a variable: the predicate is "always true" on purpose
	must(t, verify.Threshold(func(n int8) bool { return n >= lo }, lo, verify.AtLeast))
	must(t, verify.Threshold(func(d time.Duration) bool { return d <= time.Second }, time.Second, verify.AtMost))
	err = verify.Threshold(func(d time.Duration) bool { return d < time.Second }, time.Second, verify.AtMost)
	if !errors.As(err, &te) || te.Values[0] != time.Second {
		t.Fatalf("duration: %v", err)
	}
}

func TestThresholdTime(t *testing.T) {
	deadline := time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)
	must(t, verify.Threshold(func(x time.Time) bool { return !x.Before(deadline) }, deadline, verify.AtLeast))

	err := verify.Threshold(func(x time.Time) bool { return x.After(deadline) }, deadline, verify.AtLeast)
	var te *verify.LawError
	if !errors.As(err, &te) || !te.Values[0].(time.Time).Equal(deadline) || !strings.Contains(te.Hint, "> written where >=") {
		t.Fatalf("After for >=: %v", err)
	}
	// == on times: the same instant in another zone is missed.
	err = verify.Threshold(func(x time.Time) bool { return x == deadline || x.After(deadline) }, deadline, verify.AtLeast)
	if !errors.As(err, &te) || !strings.Contains(te.Hint, "another representation") {
		t.Fatalf("== on times: %v", err)
	}
	// Wall-clock fields: comparing the hour in the local zone of x.
	err = verify.Threshold(func(x time.Time) bool {
		return x.Year() > 2026 || x.Year() == 2026 && x.YearDay() >= 88 && x.Hour() >= 1
	}, deadline, verify.AtLeast)
	if !errors.As(err, &te) {
		t.Fatalf("wall clock: %v", err)
	}
}

func TestThresholdBadInput(t *testing.T) {
	if err := verify.Threshold[int](nil, 1, verify.AtLeast); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil pred: %v", err)
	}
	if err := verify.Threshold(func(int) bool { return true }, 1, verify.Bound(0)); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("zero bound: %v", err)
	}
	if err := verify.Threshold(nil, time.Time{}, verify.AtLeast); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil time pred: %v", err)
	}
	if err := verify.Threshold(func(n int) bool { panic("x") }, 1, verify.AtLeast); err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("panicking pred: %v", err)
	}
}

// Floats are probed one ulp either side: an off-by-one-ulp boundary fails.
func TestThresholdFloats(t *testing.T) {
	half := 0.5
	up, down := math.Nextafter(half, 1), math.Nextafter(half, 0)
	must(t, verify.Threshold(func(x float64) bool { return x >= half }, half, verify.AtLeast))
	must(t, verify.Threshold(func(x float64) bool { return x < half }, half, verify.Below))
	var le *verify.LawError
	if err := verify.Threshold(func(x float64) bool { return x > half }, half, verify.AtLeast); !errors.As(err, &le) ||
		le.Values[0] != half || !strings.Contains(le.Hint, "> written where >=") {
		t.Errorf("> for >=: %v", err)
	}
	if err := verify.Threshold(func(x float64) bool { return x >= up }, half, verify.AtLeast); !errors.As(err, &le) || le.Values[0] != half {
		t.Errorf("one ulp high: %v", err)
	}
	if err := verify.Threshold(func(x float64) bool { return x >= down }, half, verify.AtLeast); !errors.As(err, &le) ||
		le.Values[0] != down || !strings.Contains(le.Hint, "below") {
		t.Errorf("one ulp low: %v", err)
	}
	// The extremes: a predicate that forgets +Inf.
	if err := verify.Threshold(func(x float64) bool { return x >= 1 && !math.IsInf(x, 1) }, 1, verify.AtLeast); !errors.As(err, &le) ||
		!math.IsInf(le.Values[0].(float64), 1) {
		t.Errorf("+Inf: %v", err)
	}
	must(t, verify.Threshold(func(x float32) bool { return x <= 0.1 }, float32(0.1), verify.AtMost))
	if err := verify.Threshold(func(x float32) bool { return x < 0.1 }, float32(0.1), verify.AtMost); !errors.As(err, &le) {
		t.Errorf("float32: %v", err)
	}
	if err := verify.Threshold(func(x float64) bool { return true }, math.NaN(), verify.AtLeast); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("NaN boundary: %v", err)
	}
}

func TestThresholdStrings(t *testing.T) {
	must(t, verify.Threshold(func(s string) bool { return s >= "m" }, "m", verify.AtLeast))
	var le *verify.LawError
	if err := verify.Threshold(func(s string) bool { return s > "m" }, "m", verify.AtLeast); !errors.As(err, &le) || le.Values[0] != "m" {
		t.Errorf("> for >=: %v", err)
	}
	// "m\x00" is the next string: a predicate on the first byte only misses it.
	if err := verify.Threshold(func(s string) bool { return s != "" && s[0] <= 'm' }, "m", verify.AtMost); !errors.As(err, &le) || le.Values[0] != "m\x00" {
		t.Errorf("first byte only: %v", err)
	}
}

// version is a user type with neighbours: the previous and next patch.
type version struct{ Major, Minor, Patch int }

func (v version) cmp(w version) int {
	return cmp.Or(cmp.Compare(v.Major, w.Major), cmp.Compare(v.Minor, w.Minor), cmp.Compare(v.Patch, w.Patch))
}

func TestThresholdFunc(t *testing.T) {
	cmpV := func(a, b version) int { return a.cmp(b) }
	prev := func(v version) version { v.Patch--; return v }
	next := func(v version) version { v.Patch++; return v }
	min := version{1, 4, 2}
	must(t, verify.ThresholdFunc(func(v version) bool { return v.cmp(min) >= 0 }, min, verify.AtLeast, cmpV, prev, next))
	var le *verify.LawError
	// Minor and patch compared separately: 1.4.1 passes.
	sloppy := func(v version) bool { return v.Major >= 1 && v.Minor >= 4 }
	if err := verify.ThresholdFunc(sloppy, min, verify.AtLeast, cmpV, prev, next); !errors.As(err, &le) || le.Values[0] != (version{1, 4, 1}) {
		t.Errorf("sloppy: %v", err)
	}
	if err := verify.ThresholdFunc(sloppy, min, verify.AtLeast, cmpV, next, next); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("prev that goes up: %v", err)
	}
	if err := verify.ThresholdFunc(sloppy, min, verify.AtLeast, cmpV, prev, nil); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil next: %v", err)
	}
	if err := verify.ThresholdFunc(sloppy, min, verify.Bound(9), cmpV, prev, next); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("bad bound: %v", err)
	}
}

// TestThresholdFuncFarFromTheBoundary: a predicate that reads only the
// last two digits of a number is right for 49 steps either side of 150 and
// wrong 50 steps away (at 200 and at 99): the steps probed reach it, and
// the witness is the nearest wrong value.
func TestThresholdFuncFarFromTheBoundary(t *testing.T) {
	lastTwo := func(n int) bool { return n%100 >= 50 }
	prev := func(n int) int { return n - 1 }
	next := func(n int) int { return n + 1 }
	var le *verify.LawError
	err := verify.ThresholdFunc(lastTwo, 150, verify.AtLeast, cmp.Compare[int], prev, next)
	if !errors.As(err, &le) || le.Values[0] != 200 {
		t.Fatalf("last two digits only: %v", err)
	}
	// A range that ends: next saturates at 160, prev at 140. The walk
	// stops there, and a correct predicate passes.
	sat := func(n int) int { return min(n+1, 160) }
	satPrev := func(n int) int { return max(n-1, 140) }
	must(t, verify.ThresholdFunc(func(n int) bool { return n >= 150 }, 150, verify.AtLeast, cmp.Compare[int], satPrev, sat))
	// Wrong only at the end of the range: found there.
	err = verify.ThresholdFunc(func(n int) bool { return n >= 150 && n < 160 }, 150, verify.AtLeast, cmp.Compare[int], satPrev, sat)
	if !errors.As(err, &le) || le.Values[0] != 160 {
		t.Fatalf("wrong at the range's end: %v", err)
	}
}

// TestThresholdFarFromTheBoundary: Threshold on integers reaches the
// same predicate; the first probe that disagrees is 63 steps below.
func TestThresholdFarFromTheBoundary(t *testing.T) {
	var le *verify.LawError
	err := verify.Threshold(func(n int) bool { return n%100 >= 50 }, 150, verify.AtLeast)
	if !errors.As(err, &le) || le.Values[0] != 150-63 {
		t.Fatalf("last two digits only: %v", err)
	}
	must(t, verify.Threshold(func(n uint16) bool { return n >= 150 }, 150, verify.AtLeast))
	must(t, verify.Threshold(func(n int8) bool { return n < -100 }, -100, verify.Below))
}
