package canary_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/deploysafe/deploysafe/rollout/canary"
)

// latencies returns n deterministic latencies around base milliseconds.
func latencies(n int, base float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = base + float64(i%20)
	}
	return s
}

func ExampleJudge() {
	baseline := latencies(120, 100) // 100–119 ms
	slower := latencies(120, 160)   // 160–179 ms
	res, err := canary.Judge(baseline, slower)
	fmt.Println(res.Verdict, errors.Is(err, canary.ErrFail))
	fmt.Printf("U=%.0f of %d pairs, p=%.2g, median %+.0f%%\n", res.U, res.N1*res.N2, res.P, 100*res.Effect)

	res, err = canary.Judge(baseline, latencies(120, 101))
	fmt.Println(res.Verdict, err)
	// Output:
	// fail true
	// U=14400 of 14400 pairs, p=3.4e-41, median +55%
	// pass <nil>
}

// A canary full of errors against a baseline that reported no data is
// Inconclusive, never Pass (Kayenta's worst reported bug).
func ExampleJudge_noData() {
	errorsPerMinute := latencies(120, 40)
	res, err := canary.Judge(nil, errorsPerMinute)
	fmt.Println(res)
	fmt.Println(errors.Is(err, canary.ErrInconclusive))
	// Output:
	// inconclusive: no data: baseline has 0 samples, canary 120
	// true
}

func ExampleAnalysis() {
	fetch := func(ctx context.Context) (baseline, canaryS []float64, err error) {
		// In production: query the metrics store for both groups.
		return latencies(60, 100), latencies(60, 100), nil
	}
	gate := canary.Analysis(fetch, canary.HigherIsBad, canary.Tolerance(0.1))
	fmt.Println(gate(context.Background()))

	broken := canary.Analysis(func(ctx context.Context) ([]float64, []float64, error) {
		return latencies(60, 100), latencies(60, 250), nil
	})
	err := broken(context.Background())
	var ve *canary.VerdictError
	if errors.As(err, &ve) {
		fmt.Println(ve.Result.Verdict, ve.Result.Effect > 1)
	}
	// Output:
	// <nil>
	// fail true
}
