package canary_test

import (
	"math"
	"testing"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/rollout/canary"
)

// samples draws integer-valued samples (so shifts are exact): half the
// time from a small range, where ties happen (normal approximation), half the
// time odd values for the baseline and even ones for the canary, with no
// ties at all (exact p-values for fewer than 50 per side).
func samples(t *rapid.T, label string) []float64 {
	var ints []int
	if rapid.Bool().Draw(t, label+" has ties") {
		ints = rapid.SliceOfN(rapid.IntRange(-40, 40), 1, 60).Draw(t, label)
	} else {
		parity := 0
		if label == "baseline" {
			parity = 1
		}
		ints = rapid.SliceOfNDistinct(rapid.IntRange(-500, 500).Filter(func(v int) bool { return (v%2+2)%2 == parity }),
			1, 55, rapid.ID[int]).Draw(t, label)
	}
	s := make([]float64, len(ints))
	for i, v := range ints {
		s[i] = float64(v)
	}
	return s
}

func result(t *rapid.T, b, c []float64, opts ...canary.Option) canary.Result {
	res, err := canary.Judge(b, c, append([]canary.Option{canary.MinSamples(1)}, opts...)...)
	if (err == nil) != (res.Verdict == canary.Pass) {
		t.Fatalf("verdict %v with err %v", res.Verdict, err)
	}
	if !(res.P >= 0 && res.P <= 1) {
		t.Fatalf("p = %v", res.P)
	}
	return res
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a)) }

// Swapping baseline and canary mirrors the test: U becomes n1·n2 − U, the
// two-sided p is unchanged, and "higher" becomes "lower".
func TestPropertySwapMirrors(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b, c := samples(t, "baseline"), samples(t, "canary")
		n1n2 := float64(len(b) * len(c))
		either, eitherSwapped := result(t, b, c, canary.EitherIsBad), result(t, c, b, canary.EitherIsBad)
		if either.U+eitherSwapped.U != n1n2 || !near(either.P, eitherSwapped.P) {
			t.Fatalf("two-sided: U %v + %v ≠ %v or p %v ≠ %v", either.U, eitherSwapped.U, n1n2, either.P, eitherSwapped.P)
		}
		higher, lowerSwapped := result(t, b, c, canary.HigherIsBad), result(t, c, b, canary.LowerIsBad)
		if !near(higher.P, lowerSwapped.P) {
			t.Fatalf("one-sided: p %v ≠ %v", higher.P, lowerSwapped.P)
		}
		if higher.Exact != either.Exact {
			t.Fatalf("exactness depends on the direction")
		}
	})
}

// Shifting both samples by a constant changes neither U nor p; scaling both
// by a power of two changes nothing at all (not even the effect).
func TestPropertyShiftAndScale(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b, c := samples(t, "baseline"), samples(t, "canary")
		k := float64(rapid.IntRange(-1000, 1000).Draw(t, "shift"))
		dir := canary.Direction(rapid.IntRange(1, 3).Draw(t, "direction"))
		add := func(s []float64, k, m float64) []float64 {
			out := make([]float64, len(s))
			for i, v := range s {
				out[i] = v*m + k
			}
			return out
		}
		r := result(t, b, c, dir)
		shifted := result(t, add(b, k, 1), add(c, k, 1), dir)
		if r.U != shifted.U || r.P != shifted.P || r.Exact != shifted.Exact {
			t.Fatalf("shift by %v: U %v→%v p %v→%v", k, r.U, shifted.U, r.P, shifted.P)
		}
		scaled := result(t, add(b, 0, 4), add(c, 0, 4), dir)
		if r.U != scaled.U || r.P != scaled.P || r.Verdict != scaled.Verdict || !(r.Effect == scaled.Effect || math.IsNaN(r.Effect)) {
			t.Fatalf("scale by 4: %+v → %+v", r, scaled)
		}
	})
}

// Below MinSamples on either side, nothing is ever Pass or Fail.
func TestPropertyTooFewNeverPass(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b, c := samples(t, "baseline"), samples(t, "canary")
		minimum := rapid.IntRange(1, 80).Draw(t, "min")
		res, err := canary.Judge(b, c, canary.MinSamples(minimum))
		if (len(b) < minimum || len(c) < minimum) && (res.Verdict != canary.Inconclusive || err == nil) {
			t.Fatalf("%d/%d samples with MinSamples(%d): %v", len(b), len(c), minimum, res)
		}
	})
}
