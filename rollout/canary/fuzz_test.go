package canary_test

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/deploysafe/deploysafe/rollout/canary"
)

// FuzzJudge feeds arbitrary float64 bit patterns (NaN, ±Inf, −0, huge and
// tiny values) split into baseline and canary, and checks the contract.
func FuzzJudge(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint8(1))
	f.Add(make([]byte, 8*120), uint8(60), uint8(1))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8}, uint8(1), uint8(1)) // a NaN
	f.Fuzz(func(t *testing.T, data []byte, split, minimum uint8) {
		xs := make([]float64, len(data)/8)
		bad := false
		for i := range xs {
			xs[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
			bad = bad || math.IsNaN(xs[i]) || math.IsInf(xs[i], 0)
		}
		k := min(int(split), len(xs))
		b, c := xs[:k], xs[k:]
		measure := canary.MedianChange
		if minimum%2 == 1 {
			measure = canary.MeanChange
		}
		res, err := canary.Judge(b, c, canary.MinSamples(max(1, int(minimum))), canary.EitherIsBad, measure)
		if (err == nil) != (res.Verdict == canary.Pass) {
			t.Fatalf("verdict %v with err %v", res.Verdict, err)
		}
		if bad != errors.Is(err, canary.ErrInvalidInput) {
			t.Fatalf("invalid samples %v but err %v", bad, err)
		}
		if res.Verdict != canary.Inconclusive && (len(b) < int(minimum) || len(c) < int(minimum) ||
			!(res.P >= 0 && res.P <= 1) || math.IsNaN(res.Effect)) {
			t.Fatalf("%d/%d samples, min %d: %+v", len(b), len(c), minimum, res)
		}
	})
}
