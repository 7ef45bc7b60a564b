package verify_test

import (
	"errors"
	"testing"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

func TestSamePairsFindsGreaterOrEqual(t *testing.T) {
	gt := func(a, b int) bool { return a > b }
	ge := func(a, b int) bool { return a >= b }
	_, err := verify.SamePairs(gt, ge, rapid.Int())
	var de *verify.DiffError
	if !errors.As(err, &de) || !errors.Is(err, verify.ErrViolation) {
		t.Fatalf("want a DiffError, got %v", err)
	}
	if in := de.Input.([2]int); in[0] != in[1] || de.Old != false || de.New != true {
		t.Errorf("witness: %+v", de)
	}
	// Without edges, the random pairs find it: equal halves are forced.
	for seed := uint64(1); seed <= 20; seed++ {
		_, err := verify.SamePairs(gt, ge, rapid.Int(), verify.NoDefaultEdges(), verify.Seed(seed))
		if !errors.As(err, &de) || de.Report.Batches == 0 || de.Report.EqualPairs == 0 {
			t.Errorf("seed %d: %v", seed, err)
		}
	}
	// A correct rewrite passes, and the report counts the pairs.
	rep, err := verify.SamePairs(gt, func(a, b int) bool { return b < a }, rapid.Int())
	if err != nil || rep.EqualPairs == 0 || rep.NearPairs == 0 || rep.Same != rep.Batches || rep.Edges == 0 {
		t.Errorf("%v: %v", rep, err)
	}
}

// A pass that never tried an equal pair is vacuous unless AllowVacuous.
func TestSamePairsVacuousWithoutEqualPairs(t *testing.T) {
	gt := func(a, b int) bool { return a > b }
	for seed := uint64(1); seed <= 100; seed++ {
		opts := []verify.Option{verify.NoDefaultEdges(), verify.Batches(1), verify.Seed(seed)}
		rep, err := verify.SamePairs(gt, gt, rapid.Int(), opts...)
		if rep.EqualPairs > 0 {
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			continue
		}
		var ce *verify.CoverageError
		if !errors.As(err, &ce) || !errors.Is(err, verify.ErrVacuous) || ce.Count != "equal pairs" {
			t.Fatalf("seed %d, no equal pair: %v", seed, err)
		}
		if _, err := verify.SamePairs(gt, gt, rapid.Int(), append(opts, verify.AllowVacuous())...); err != nil {
			t.Errorf("AllowVacuous: %v", err)
		}
		return
	}
	t.Fatal("no seed of 100 drew a single non-equal pair")
}

func TestSamePairsIntendedAndBadInput(t *testing.T) {
	min1 := func(a, b int) int { return min(a, b) }
	min2 := func(a, b int) int {
		if a == b {
			return 0 // intended: ties now map to 0
		}
		return min(a, b)
	}
	rep, err := verify.SamePairs(min1, min2, rapid.IntRange(-5, 5),
		verify.Intended(func(in [2]int, old, new int) bool { return in[0] == in[1] && new == 0 }))
	if err != nil || rep.Intended == 0 {
		t.Errorf("%v: %v", rep, err)
	}
	if _, err := verify.SamePairs[int, int](nil, min1, rapid.Int()); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil old: %v", err)
	}
	if _, err := verify.SamePairs(min1, min1, (*rapid.Generator[int])(nil)); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil generator: %v", err)
	}
	if _, err := verify.SamePairs(min1, min1, rapid.Int(), verify.Intended(func(in, old, new int) bool { return true })); !errors.Is(err, verify.ErrBadOption) {
		t.Errorf("Intended of the wrong type: %v", err)
	}
}

// Groups takes only Order and Key: other options are an error naming why,
// not silently ignored.
func TestGroupsRejectsOtherOptions(t *testing.T) {
	eq := func(a, b int) bool { return a == b }
	for _, o := range []verify.Option{verify.Batches(5), verify.Seed(3), verify.AllowVacuous(), verify.Edges(1)} {
		if err := verify.Groups(eq, [][]int{{1}, {2}}, o); !errors.Is(err, verify.ErrBadOption) {
			t.Errorf("%T: %v", o, err)
		}
	}
	if err := verify.Groups(func(a, b int) int { return a - b }, [][]int{{1}, {2}}, verify.Order(func(a, b int) int { return a - b })); !errors.Is(err, verify.ErrBadOption) {
		t.Errorf("Order on a cmp: %v", err)
	}
}
