package canary_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/rollout/canary"
)

// Every limit of the judge, pinned on both sides of its boundary: a < that
// becomes <= fails one of these (found by mutation testing; see TESTING.md).

// around returns 10 values spread evenly below center, center, and 10 above,
// all within ±10%: 21 values, median exactly center.
func around(center float64) []float64 {
	s := make([]float64, 0, 21)
	for i := 10; i >= 1; i-- {
		s = append(s, center*(1-float64(i)/100))
	}
	s = append(s, center)
	for i := 1; i <= 10; i++ {
		s = append(s, center*(1+float64(i)/100))
	}
	return s
}

func TestMinSamplesBoundary(t *testing.T) {
	b, c := series(8, 100, 1), series(8, 101, 1)
	for _, tt := range []struct {
		nb, nc, min int
		tooFew      bool
	}{
		{8, 8, 8, false}, {7, 8, 8, true}, {8, 7, 8, true}, {8, 8, 9, true},
	} {
		res, _ := judge(t, b[:tt.nb], c[:tt.nc], canary.MinSamples(tt.min), canary.Confidence(0.5))
		if got := strings.Contains(res.Reason, "too few samples: baseline has"); got != tt.tooFew {
			t.Errorf("%d+%d samples, MinSamples(%d): %v, want too few = %v", tt.nb, tt.nc, tt.min, res, tt.tooFew)
		}
	}
}

// One canary value against 7 baseline values: U is uniform on 0..7, so the
// exact one-sided p of U = u is (8 − u)/8, and the smallest p is 1/8: all
// exactly representable, as are the alphas below.
func TestSignificanceBoundary(t *testing.T) {
	baseline := []float64{1, 2, 3, 4, 5, 6, 7}
	above6 := []float64{6.5} // U = 6: p = 2/8; median +62.5%
	for _, tt := range []struct {
		confidence float64 // alpha = 1 − confidence
		want       canary.Verdict
	}{
		{0.75, canary.Pass}, // p = alpha: not significant
		{0.70, canary.Fail}, // p < alpha
	} {
		res, _ := judge(t, baseline, above6, canary.MinSamples(1), canary.Confidence(tt.confidence))
		if res.P != 0.25 || !res.Exact || res.Verdict != tt.want {
			t.Errorf("Confidence(%v): %+v, want %v with exact p 0.25", tt.confidence, res, tt.want)
		}
	}
}

func TestPowerBoundary(t *testing.T) {
	baseline := []float64{1, 2, 3, 4, 5, 6, 7}
	top := []float64{8} // U = 7: p = 1/8, the smallest there is
	res, _ := judge(t, baseline, top, canary.MinSamples(1), canary.Confidence(0.875))
	if res.Verdict != canary.Inconclusive || !strings.Contains(res.Reason, "can never reach p < 0.125") {
		t.Errorf("smallest p = alpha: %v, want inconclusive (never significant)", res)
	}
	res, _ = judge(t, baseline, top, canary.MinSamples(1), canary.Confidence(0.87))
	if res.Verdict != canary.Fail || res.P != 0.125 {
		t.Errorf("smallest p < alpha: %+v, want fail", res)
	}
}

// The effect (medians 4 → 5, or 4 → 3: exactly ±25%) against the tolerance,
// with a significant difference (every canary value beyond every baseline value).
func TestToleranceBoundary(t *testing.T) {
	base, up, down := around(4), around(5), around(3)
	// around(5) reaches 4.5 < around(4)'s 4.4? No: 5·0.9 = 4.5 > 4·1.1 = 4.4,
	// and 3·1.1 = 3.3 < 4·0.9 = 3.6: no overlap either way.
	for _, tt := range []struct {
		name      string
		canary    []float64
		dir       canary.Direction
		tolerance float64
		want      canary.Verdict
		reason    string
	}{
		{"higher at tolerance", up, canary.HigherIsBad, 0.25, canary.Pass, "canary median +25%, within the tolerance of 25%"},
		{"higher beyond", up, canary.HigherIsBad, 0.24, canary.Fail, "canary median +25%, beyond the tolerance of 24%"},
		{"lower at tolerance", down, canary.LowerIsBad, 0.25, canary.Pass, "canary median -25%, within the tolerance of 25%"},
		{"lower beyond", down, canary.LowerIsBad, 0.24, canary.Fail, "canary median -25%, beyond the tolerance of 24%"},
		{"lower is good for HigherIsBad", down, canary.HigherIsBad, 0, canary.Pass, "no significant difference"},
		{"higher is good for LowerIsBad", up, canary.LowerIsBad, 0, canary.Pass, "no significant difference"},
		{"either, up at tolerance", up, canary.EitherIsBad, 0.25, canary.Pass, "canary median +25%, within"},
		{"either, up beyond", up, canary.EitherIsBad, 0.24, canary.Fail, "canary median +25%, beyond"},
		{"either, down at tolerance", down, canary.EitherIsBad, 0.25, canary.Pass, "canary median -25%, within"},
		{"either, down beyond", down, canary.EitherIsBad, 0.24, canary.Fail, "canary median -25%, beyond"},
	} {
		res, _ := judge(t, base, tt.canary, tt.dir, canary.Tolerance(tt.tolerance), canary.MinSamples(21))
		if res.Verdict != tt.want || !strings.Contains(res.Reason, tt.reason) {
			t.Errorf("%s: %v, want %v (%q)", tt.name, res, tt.want, tt.reason)
		}
		if tt.reason != "no significant difference" && (res.Effect != 0.25 && res.Effect != -0.25) {
			t.Errorf("%s: effect %v, want exactly ±0.25", tt.name, res.Effect)
		}
	}
}

// Exact p-values below 50 samples per side, the normal approximation from
// 50 on, for either side.
func TestExactLimitBoundary(t *testing.T) {
	for _, tt := range []struct {
		nb, nc int
		exact  bool
	}{
		{49, 49, true}, {50, 49, false}, {49, 50, false},
	} {
		b, c := make([]float64, tt.nb), make([]float64, tt.nc)
		for i := range b {
			b[i] = float64(2 * i) // no ties: even baseline, odd canary
		}
		for i := range c {
			c[i] = float64(2*i + 1)
		}
		res, _ := judge(t, b, c, canary.MinSamples(1))
		if res.Exact != tt.exact {
			t.Errorf("%d+%d samples: Exact = %v, want %v", tt.nb, tt.nc, res.Exact, tt.exact)
		}
	}
}

func TestVerdictErrorMessage(t *testing.T) {
	boom := errors.New("metrics store down")
	err := canary.Analysis(fetchOf(nil, nil, boom))(t.Context())
	if want := "canary: inconclusive: fetching samples: metrics store down"; err == nil || err.Error() != want {
		t.Errorf("fetch failure reads %q, want %q (the cause once)", err, want)
	}
	e := &canary.VerdictError{Result: canary.Result{Reason: "too few samples"}, Err: errors.New("canary: disk full")}
	if want := "canary: inconclusive: too few samples: canary: disk full"; e.Error() != want {
		t.Errorf("cause unlike the reason: %q, want %q", e.Error(), want)
	}
}

// Identical samples with ties, two-sided: z is exactly 0, no continuity
// correction applies, and p is 1 (R: wilcox.test(x, x)$p.value == 1).
func TestTwoSidedCenterIsPOne(t *testing.T) {
	s := series(60, 100, 1) // ten distinct values, six times each: ties, normal approximation
	res, _ := judge(t, s, s, canary.EitherIsBad)
	if res.P != 1 || res.Exact || res.Verdict != canary.Pass {
		t.Errorf("identical samples, two-sided: %+v, want p = 1 (normal approximation)", res)
	}
}

// U = 0 (the canary below every baseline value): P(U ≥ 0) sums the whole
// distribution, U = 0 included, and is exactly 1.
func TestExactPAtZeroIsOne(t *testing.T) {
	res, _ := judge(t, []float64{1, 2, 3, 4, 5, 6, 7}, []float64{0.5}, canary.MinSamples(1), canary.Confidence(0.5))
	if res.U != 0 || !res.Exact || res.P != 1 || res.Verdict != canary.Pass {
		t.Errorf("canary below every baseline value, higher is bad: %+v, want U = 0, exact p = 1", res)
	}
}
