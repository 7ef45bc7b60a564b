package verify_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

func absOld(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestSameCatchesChange(t *testing.T) {
	// The new version "simplifies" the comparison and gets zero wrong.
	absNew := func(x int) int {
		if x <= 0 {
			return -x + 1
		}
		return x
	}
	_, err := verify.Same(absOld, absNew, rapid.Int())
	var de *verify.DiffError
	if !errors.As(err, &de) || !errors.Is(err, verify.ErrViolation) {
		t.Fatalf("want a DiffError, got %v", err)
	}
	if de.Input != 0 || de.Old != 0 || de.New != 1 || !strings.Contains(de.Diff, "-") {
		t.Errorf("witness not shrunk to 0: %+v", de)
	}
}

func TestSameIntendedIsCounted(t *testing.T) {
	// Intended change: negative inputs are now clamped to 0.
	clamp := func(x int) int {
		if x < 0 {
			return 0
		}
		return x
	}
	rep, err := verify.Same(absOld, clamp, rapid.Int(),
		verify.Intended(func(in, old, new int) bool { return in < 0 && new == 0 }))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Intended == 0 || rep.Same == 0 || rep.Differ != 0 {
		t.Errorf("counts: %v", rep)
	}
	// A predicate that swallows everything is visible, and Require bounds it.
	rep, err = verify.Same(absOld, func(int) int { return 7 }, rapid.Int(),
		verify.Intended(func(int, int, int) bool { return true }), verify.Require(verify.Report{Same: 50}))
	var ce *verify.CoverageError
	if !errors.As(err, &ce) || ce.Count != "same" || rep.Intended < 50 {
		t.Errorf("swallowing predicate: %v (%v)", err, rep)
	}
}

func TestSamePanics(t *testing.T) {
	idx := func(x int) int { return []int{1, 2, 3}[x] }
	safe := func(x int) int {
		if x < 0 || x > 2 {
			return 0
		}
		return []int{1, 2, 3}[x]
	}
	_, err := verify.Same(idx, safe, rapid.IntRange(0, 5))
	var de *verify.DiffError
	if !errors.As(err, &de) || !strings.Contains(de.Diff, "panic") {
		t.Errorf("panic in old only: %v", err)
	}
	verify.SameT(t, idx, idx, rapid.IntRange(0, 5)) // both panic alike
}

func TestSameBadInput(t *testing.T) {
	if _, err := verify.Same(nil, absOld, rapid.Int()); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil old: %v", err)
	}
	if _, err := verify.Same(absOld, absOld, nil); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil generator: %v", err)
	}
	if _, err := verify.Same(absOld, absOld, rapid.Int(), verify.Intended(func(string, int, int) bool { return true })); !errors.Is(err, verify.ErrBadOption) {
		t.Errorf("Intended of another type: %v", err)
	}
	type hidden struct{ x int }
	f := func(x int) hidden { return hidden{x} }
	if _, err := verify.Same(f, f, rapid.Int()); !errors.Is(err, verify.ErrBadOption) {
		t.Errorf("unexported fields without CmpOptions: %v", err)
	}
}

// A refactor that returns the same instant in another Location changes
// what callers observe (Format, Hour, the zone in JSON): Same reports it,
// although go-cmp's Equal on time.Time does not. A caller's own
// comparison of instants relaxes it.
func TestSameSeesTimeLocation(t *testing.T) {
	utc := func(s int64) time.Time { return time.Unix(s, 0).UTC() }
	local := func(s int64) time.Time { return time.Unix(s, 0).In(time.FixedZone("CET", 3600)) }
	gen := rapid.Int64Range(0, 1<<31)
	_, err := verify.Same(utc, local, gen)
	var de *verify.DiffError
	if !errors.As(err, &de) {
		t.Fatalf("want a DiffError for another Location, got %v", err)
	}
	// The same instant inside a struct, too.
	type stamp struct{ At time.Time }
	if _, err := verify.Same(func(s int64) stamp { return stamp{utc(s)} }, func(s int64) stamp { return stamp{local(s)} }, gen); !errors.As(err, &de) {
		t.Errorf("struct field: want a DiffError, got %v", err)
	}
	// One Location, two spellings of it: no difference.
	if _, err := verify.Same(utc, func(s int64) time.Time { return time.Unix(s, 0).In(time.UTC) }, gen); err != nil {
		t.Errorf("same Location: %v", err)
	}
	if _, err := verify.Same(utc, local, gen, verify.CmpOptions(cmp.Comparer(time.Time.Equal))); err != nil {
		t.Errorf("relaxed with a Comparer of instants: %v", err)
	}
}
