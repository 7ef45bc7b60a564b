package canary

import (
	"fmt"
	"math"
	"slices"
)

// Verdict is the outcome of a canary judgement. The zero Verdict is
// Inconclusive, so a Result nobody filled in never reads as Pass.
type Verdict int

// Verdicts.
const (
	Inconclusive Verdict = iota // not enough valid data to decide
	Pass                        // no significant change beyond the tolerance
	Fail                        // significantly worse beyond the tolerance
)

// String returns "inconclusive", "pass" or "fail".
func (v Verdict) String() string {
	switch v {
	case Inconclusive:
		return "inconclusive"
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Result is a judgement and the figures it rests on.
type Result struct {
	Verdict Verdict
	// U is the Mann-Whitney U of the canary: the number of (canary,
	// baseline) pairs where the canary value is higher, ties counting one
	// half. It is R's W for wilcox.test(canary, baseline). 0 when a side is
	// empty.
	U float64
	// P is the p-value: one-sided for HigherIsBad and LowerIsBad,
	// two-sided for EitherIsBad. NaN when no test was run.
	P float64
	// Effect is the relative change of the center (the median, or the
	// mean with MeanChange): (CanaryCenter − BaselineCenter) /
	// |BaselineCenter|; ±Inf when the baseline's center is 0 and the
	// canary's is not; NaN when a side is empty.
	Effect float64
	// N1 and N2 are the number of baseline and canary samples.
	N1, N2 int
	// BaselineCenter and CanaryCenter are the medians, or the means with
	// MeanChange (NaN when empty).
	BaselineCenter, CanaryCenter float64
	// Exact reports that P comes from the exact null distribution.
	Exact bool
	// Reason explains the verdict in one line.
	Reason string
}

// String formats the verdict and its reason.
func (r Result) String() string { return r.Verdict.String() + ": " + r.Reason }

// Judge compares the canary's samples of one metric with the baseline's and
// returns the judgement. The error is nil exactly when the verdict is Pass;
// otherwise it is a *VerdictError wrapping ErrFail or ErrInconclusive (and
// ErrInvalidInput when the input is at fault). The
// slices are not modified.
func Judge(baseline, canary []float64, opts ...Option) (Result, error) {
	o := newOptions(opts)
	res := Result{N1: len(baseline), N2: len(canary), P: math.NaN(), Effect: math.NaN(),
		BaselineCenter: math.NaN(), CanaryCenter: math.NaN()}
	if o.err != nil {
		res.Reason = o.err.Error()
		return res, &VerdictError{Result: res, Err: o.err}
	}
	if err := checkFinite("baseline", baseline); err != nil {
		res.Reason = err.Error()
		return res, &VerdictError{Result: res, Err: err}
	}
	if err := checkFinite("canary", canary); err != nil {
		res.Reason = err.Error()
		return res, &VerdictError{Result: res, Err: err}
	}
	if len(baseline) == 0 || len(canary) == 0 {
		res.Reason = fmt.Sprintf("no data: baseline has %d samples, canary %d", len(baseline), len(canary))
		return res, &VerdictError{Result: res}
	}

	b, c := slices.Clone(baseline), slices.Clone(canary)
	slices.Sort(b)
	slices.Sort(c)
	if o.measure == MeanChange {
		res.BaselineCenter, res.CanaryCenter = mean(b), mean(c)
	} else {
		res.BaselineCenter, res.CanaryCenter = median(b), median(c)
	}
	res.Effect = relativeChange(res.BaselineCenter, res.CanaryCenter)
	alt := o.direction.alternative()
	t := mannWhitney(c, b, alt)
	res.U, res.P, res.Exact = t.u, t.p, t.exact
	alpha := 1 - o.confidence

	// Limits as if statements, not switch cases: gremlins (mutation
	// testing) cannot mutate a case expression, and these must be pinned.
	if len(baseline) < o.minSamples || len(canary) < o.minSamples {
		res.Reason = fmt.Sprintf("too few samples: baseline has %d, canary %d, need %d each",
			len(baseline), len(canary), o.minSamples)
		return res, &VerdictError{Result: res}
	}
	if minP(len(canary), len(baseline), alt) >= alpha {
		res.Reason = fmt.Sprintf("too few samples: %d and %d can never reach p < %.3g",
			len(baseline), len(canary), alpha)
		return res, &VerdictError{Result: res}
	}

	significant := t.p < alpha
	bad := o.badEffect(res.Effect)
	switch {
	case significant && bad:
		res.Verdict = Fail
		res.Reason = fmt.Sprintf("canary %s %s, beyond the tolerance of %s (%s, p=%.3g < %.3g)",
			o.measure.name(), describeEffect(res.Effect, o.measure), percent(o.tolerance), o.direction.name(), t.p, alpha)
		return res, &VerdictError{Result: res}
	case significant:
		res.Verdict = Pass
		res.Reason = fmt.Sprintf("significant difference (p=%.3g < %.3g) but canary %s %s, within the tolerance of %s",
			t.p, alpha, o.measure.name(), describeEffect(res.Effect, o.measure), percent(o.tolerance))
	default:
		res.Verdict = Pass
		res.Reason = fmt.Sprintf("no significant difference (%s, p=%.3g ≥ %.3g)", o.direction.name(), t.p, alpha)
	}
	return res, nil
}

// badEffect reports whether effect exceeds the tolerance in the bad direction.
func (o *options) badEffect(effect float64) bool {
	switch o.direction {
	case LowerIsBad:
		return effect < -o.tolerance
	case EitherIsBad:
		return math.Abs(effect) > o.tolerance
	}
	return effect > o.tolerance
}

func checkFinite(side string, xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: %s sample %d is %v", ErrInvalidInput, side, i, x)
		}
	}
	return nil
}

// median of a sorted, non-empty slice.
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1]/2 + s[n/2]/2
}

func relativeChange(base, c float64) float64 {
	switch {
	case c == base:
		return 0
	case base == 0:
		return math.Inf(int(math.Copysign(1, c)))
	}
	return (c - base) / math.Abs(base)
}

// mean of a non-empty slice, without overflow.
func mean(s []float64) float64 {
	var sum float64
	for _, x := range s {
		sum += x
	}
	if !math.IsInf(sum, 0) {
		return sum / float64(len(s))
	}
	var m float64 // the sum overflowed: a running mean stays in range
	for i, x := range s {
		n := float64(i + 1)
		m += x/n - m/n // x − m itself could overflow
	}
	return m
}

func describeEffect(e float64, m Measure) string {
	switch {
	case math.IsInf(e, 1):
		return "rose from a baseline " + m.name() + " of 0"
	case math.IsInf(e, -1):
		return "fell from a baseline " + m.name() + " of 0"
	case e >= 0:
		return "+" + percent(e)
	}
	return "-" + percent(-e)
}

func percent(f float64) string { return fmt.Sprintf("%.3g%%", 100*f) }
