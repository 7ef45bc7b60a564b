package canary_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/deploysafe/deploysafe/rollout/canary"
)

// BenchmarkJudge judges 2×100,000 latency samples (the canary 2% slower,
// with ties from millisecond rounding) side by side with the baseline of
// sorting the 200,000 samples once.
func BenchmarkJudge(b *testing.B) {
	const n = 100_000
	r := rand.New(rand.NewPCG(1, 2))
	base, can := make([]float64, n), make([]float64, n)
	for i := range base {
		base[i] = float64(int(100 + 20*r.NormFloat64()))
		can[i] = float64(int(102 + 20*r.NormFloat64()))
	}
	b.Run("judge-2x100k", func(b *testing.B) {
		for b.Loop() {
			if res, _ := canary.Judge(base, can); res.N1 != n {
				b.Fatal(res)
			}
		}
	})
	b.Run("sort-200k-baseline", func(b *testing.B) {
		all := append(slices.Clone(base), can...)
		buf := make([]float64, len(all))
		for b.Loop() {
			copy(buf, all)
			slices.Sort(buf)
		}
	})
}
