package canary_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/rollout/canary"
)

// series returns n values base + spread·(i mod 10): a deterministic metric.
func series(n int, base, spread float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = base + spread*float64(i%10)
	}
	return s
}

// judge runs Judge and checks the contract that err is nil exactly on Pass
// and otherwise a *VerdictError carrying the same Result.
func judge(t testing.TB, baseline, c []float64, opts ...canary.Option) (canary.Result, error) {
	t.Helper()
	res, err := canary.Judge(baseline, c, opts...)
	if (err == nil) != (res.Verdict == canary.Pass) {
		t.Fatalf("verdict %v with err %v", res.Verdict, err)
	}
	if err != nil {
		var ve *canary.VerdictError
		if !errors.As(err, &ve) {
			t.Fatalf("error %T is not a *VerdictError: %v", err, err)
		}
		if ve.Result.Verdict != res.Verdict || ve.Result.Reason != res.Reason {
			t.Fatalf("error carries %+v, Judge returned %+v", ve.Result, res)
		}
		wantFail := res.Verdict == canary.Fail
		if errors.Is(err, canary.ErrFail) != wantFail || errors.Is(err, canary.ErrInconclusive) == wantFail {
			t.Fatalf("verdict %v but errors.Is(ErrFail)=%v: %v", res.Verdict, errors.Is(err, canary.ErrFail), err)
		}
	}
	return res, err
}

// Kayenta's worst reported bug: a canary full of errors against a baseline
// that reported no data was judged Pass.
func TestNoBaselineDataIsNeverPass(t *testing.T) {
	errorsPerMinute := series(120, 50, 5)
	for _, baseline := range [][]float64{nil, {}} {
		res, err := judge(t, baseline, errorsPerMinute)
		if res.Verdict != canary.Inconclusive || !errors.Is(err, canary.ErrInconclusive) {
			t.Fatalf("no baseline data: %v, %v", res, err)
		}
		if !strings.Contains(res.Reason, "no data") || !math.IsNaN(res.P) {
			t.Errorf("reason %q, P %v", res.Reason, res.P)
		}
	}
	res, _ := judge(t, errorsPerMinute, nil)
	if res.Verdict != canary.Inconclusive {
		t.Fatalf("no canary data: %v", res)
	}
}

func TestTooFewSamplesIsNeverPass(t *testing.T) {
	// 49 identical samples per side would pass on the data alone.
	res, err := judge(t, series(49, 100, 1), series(49, 100, 1))
	if res.Verdict != canary.Inconclusive || !strings.Contains(res.Reason, "need 50 each") {
		t.Fatalf("49 samples: %v %v", res, err)
	}
	// Lowering MinSamples cannot make a powerless test pass: with 3+3
	// samples the smallest one-sided p is 1/C(6,3) = 0.05 ≥ 0.02.
	res, _ = judge(t, []float64{1, 2, 3}, []float64{1, 2, 3}, canary.MinSamples(3))
	if res.Verdict != canary.Inconclusive || !strings.Contains(res.Reason, "never reach") {
		t.Fatalf("3+3 samples: %v", res)
	}
	// With 6+6, p can reach 1/924: interleaved samples pass (exact p).
	res, _ = judge(t, series(6, 1, 1), series(6, 1.5, 1), canary.MinSamples(6))
	if res.Verdict != canary.Pass || !res.Exact {
		t.Fatalf("6+6 samples: %+v", res)
	}
}

func TestVerdicts(t *testing.T) {
	base := series(100, 100, 2) // 100 … 118, median 109
	for _, tc := range []struct {
		name   string
		canary []float64
		opts   []canary.Option
		want   canary.Verdict
		effect float64
		reason string
	}{
		{"same", series(100, 100, 2), nil, canary.Pass, 0, "no significant difference"},
		{"doubled latency", series(100, 200, 4), nil, canary.Fail, 1, "beyond the tolerance of 25%"},
		{"10% slower within tolerance", series(100, 110, 2.2), nil, canary.Pass, 0.1, "within the tolerance"},
		{"10% slower, tolerance 5%", series(100, 110, 2.2), []canary.Option{canary.Tolerance(0.05)}, canary.Fail, 0.1, "beyond"},
		{"faster is fine", series(100, 50, 1), nil, canary.Pass, -0.5, "no significant difference"},
		{"lower is bad", series(100, 50, 1), []canary.Option{canary.LowerIsBad}, canary.Fail, -0.5, "lower is bad"},
		{"lower is bad, higher is fine", series(100, 200, 4), []canary.Option{canary.LowerIsBad}, canary.Pass, 1, "no significant"},
		{"either, higher", series(100, 200, 4), []canary.Option{canary.EitherIsBad}, canary.Fail, 1, "either is bad"},
		{"either, lower", series(100, 50, 1), []canary.Option{canary.EitherIsBad}, canary.Fail, -0.5, "either is bad"},
		{"confidence", series(100, 101, 2), []canary.Option{canary.Tolerance(0), canary.Confidence(0.5)}, canary.Fail, 1.0 / 109, "p="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := judge(t, base, tc.canary, tc.opts...)
			if res.Verdict != tc.want || math.Abs(res.Effect-tc.effect) > 1e-9 || !strings.Contains(res.Reason, tc.reason) {
				t.Errorf("got %v (effect %v), want %v (effect %v) with %q", res, res.Effect, tc.want, tc.effect, tc.reason)
			}
			if res.N1 != 100 || res.N2 != 100 || res.BaselineCenter != 109 {
				t.Errorf("N1=%d N2=%d baseline median %v", res.N1, res.N2, res.BaselineCenter)
			}
		})
	}
}

func TestZeroBaselineMedian(t *testing.T) {
	// Errors per minute: none on the baseline, some on the canary.
	res, err := judge(t, make([]float64, 60), series(60, 1, 1))
	if res.Verdict != canary.Fail || !math.IsInf(res.Effect, 1) || !errors.Is(err, canary.ErrFail) {
		t.Fatalf("%v effect %v", res, res.Effect)
	}
	// Nothing on either side: identical, passes.
	res, _ = judge(t, make([]float64, 60), make([]float64, 60))
	if res.Verdict != canary.Pass || res.Effect != 0 || res.P != 1 {
		t.Fatalf("all zero: %+v", res)
	}
}

// A sparse error metric: 40% of the canary's minutes have errors, none of
// the baseline's. The medians are both 0; the means are not.
func TestSparseMetricNeedsMeanChange(t *testing.T) {
	base := make([]float64, 100)
	c := make([]float64, 100)
	for i := 0; i < 40; i++ {
		c[i] = 3
	}
	res, _ := judge(t, base, c)
	if res.Verdict != canary.Pass || res.Effect != 0 || !(res.P < 0.02) {
		t.Fatalf("median: %+v", res)
	}
	res, err := judge(t, base, c, canary.MeanChange)
	if res.Verdict != canary.Fail || !math.IsInf(res.Effect, 1) || res.CanaryCenter != 1.2 ||
		!strings.Contains(err.Error(), "canary mean rose from a baseline mean of 0") {
		t.Fatalf("mean: %+v, %v", res, err)
	}
	mixed := series(60, -math.MaxFloat64, 0)
	for i := 0; i < 60; i += 2 {
		mixed[i] = math.MaxFloat64 // running mean alternates sign: x − m would overflow
	}
	res, _ = judge(t, mixed, mixed, canary.MeanChange, canary.MinSamples(60))
	if math.IsNaN(res.Effect) || math.IsNaN(res.BaselineCenter) || res.Verdict != canary.Pass {
		t.Fatalf("mixed huge values: %+v", res)
	}
	huge := series(60, math.MaxFloat64/2, 0) // their sum overflows
	res, _ = judge(t, huge, huge, canary.MeanChange)
	if res.Verdict != canary.Pass || res.BaselineCenter != math.MaxFloat64/2 || res.Effect != 0 {
		t.Fatalf("overflowing sum: %+v", res)
	}
	res, _ = judge(t, series(100, 10, 1), series(100, 12, 1), canary.MeanChange, canary.Tolerance(0.1))
	if res.Verdict != canary.Fail || math.Abs(res.Effect-2/14.5) > 1e-12 || res.BaselineCenter != 14.5 {
		t.Fatalf("mean shift: %+v", res)
	}
}

func TestInvalidSamples(t *testing.T) {
	good := series(60, 10, 1)
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		c := slices.Clone(good)
		c[7] = bad
		res, err := judge(t, good, c)
		if !errors.Is(err, canary.ErrInvalidInput) || res.Verdict != canary.Inconclusive {
			t.Fatalf("%v: %v", bad, err)
		}
		if !strings.Contains(err.Error(), "canary sample 7") {
			t.Errorf("error does not name the sample: %v", err)
		}
		if _, err := canary.Judge(c, good); !strings.Contains(err.Error(), "baseline sample 7") {
			t.Errorf("error does not name the baseline: %v", err)
		}
	}
}

func TestInvalidOptions(t *testing.T) {
	good := series(60, 10, 1)
	for name, opt := range map[string]canary.Option{
		"confidence 1":   canary.Confidence(1),
		"confidence 0":   canary.Confidence(0),
		"confidence NaN": canary.Confidence(math.NaN()),
		"tolerance -1":   canary.Tolerance(-1),
		"tolerance Inf":  canary.Tolerance(math.Inf(1)),
		"tolerance NaN":  canary.Tolerance(math.NaN()),
		"min samples 0":  canary.MinSamples(0),
		"direction 0":    canary.Direction(0),
		"direction 9":    canary.Direction(9),
		"measure 0":      canary.Measure(0),
		"nil":            nil,
	} {
		res, err := judge(t, good, good, opt)
		if !errors.Is(err, canary.ErrInvalidInput) || res.Verdict != canary.Inconclusive {
			t.Errorf("%s: %v, %v", name, res, err)
		}
	}
}

func TestInputsNotModified(t *testing.T) {
	b, c := []float64{3, 1, 2}, []float64{9, 7, 8}
	judge(t, b, c, canary.MinSamples(1))
	if !slices.Equal(b, []float64{3, 1, 2}) || !slices.Equal(c, []float64{9, 7, 8}) {
		t.Fatalf("inputs modified: %v %v", b, c)
	}
}

func TestStrings(t *testing.T) {
	var zero canary.Verdict
	if zero != canary.Inconclusive || zero.String() != "inconclusive" {
		t.Errorf("zero Verdict is %v", zero)
	}
	for v, s := range map[canary.Verdict]string{canary.Pass: "pass", canary.Fail: "fail", canary.Verdict(7): "Verdict(7)"} {
		if v.String() != s {
			t.Errorf("%d.String() = %q", int(v), v.String())
		}
	}
}
