package verify_test

import (
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
	must(t, verify.Threshold(func(n int8) bool { return n >= -128 }, -128, verify.AtLeast))
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
