package canary

import (
	"fmt"
	"math"
)

// An Option changes how Judge and Analysis decide. No options means
// HigherIsBad, MedianChange, Confidence(0.98), Tolerance(0.25),
// MinSamples(50): Kayenta's defaults, with the effect on the median.
type Option interface{ apply(*options) }

type options struct {
	direction  Direction
	confidence float64
	tolerance  float64
	minSamples int
	measure    Measure
	err        error // first invalid option, reported by Judge
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

const (
	defaultConfidence = 0.98
	defaultTolerance  = 0.25
	defaultMinSamples = 50
)

func newOptions(opts []Option) options {
	o := options{
		direction:  HigherIsBad,
		confidence: defaultConfidence,
		tolerance:  defaultTolerance,
		minSamples: defaultMinSamples,
		measure:    MedianChange,
	}
	for _, opt := range opts {
		if opt == nil {
			o.fail(fmt.Errorf("%w: nil Option", ErrInvalidInput))
			continue
		}
		opt.apply(&o)
	}
	return o
}

func (o *options) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// Direction says which way a change of the metric is bad. A Direction is
// itself an Option: canary.Judge(b, c, canary.LowerIsBad).
type Direction int

// Directions. The zero Direction is invalid.
const (
	// HigherIsBad fails a canary whose values are significantly higher
	// (latency, errors, memory). It is the default. The test is one-sided.
	HigherIsBad Direction = iota + 1
	// LowerIsBad fails a canary whose values are significantly lower
	// (throughput, success rate). The test is one-sided.
	LowerIsBad
	// EitherIsBad fails a canary that differs significantly either way.
	// The test is two-sided.
	EitherIsBad
)

func (d Direction) apply(o *options) {
	if d < HigherIsBad || d > EitherIsBad {
		o.fail(fmt.Errorf("%w: unknown Direction %d", ErrInvalidInput, int(d)))
		return
	}
	o.direction = d
}

// name returns "higher is bad", "lower is bad" or "either is bad", for reasons.
func (d Direction) name() string {
	switch d {
	case HigherIsBad:
		return "higher is bad"
	case LowerIsBad:
		return "lower is bad"
	case EitherIsBad:
		return "either is bad"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// alternative is the hypothesis tested against canary-vs-baseline.
func (d Direction) alternative() alternative {
	switch d {
	case HigherIsBad:
		return greater
	case LowerIsBad:
		return less
	}
	return twoSided
}

// Measure says how the effect of a change is measured. A Measure is itself
// an Option: canary.Judge(b, c, canary.MeanChange).
type Measure int

// Measures. The zero Measure is invalid.
const (
	// MedianChange measures the relative change of the median (the
	// default): robust to outliers, free given the sort the ranks need.
	MedianChange Measure = iota + 1
	// MeanChange measures the relative change of the mean (Kayenta's mean
	// ratio − 1). Use it for sparse metrics, such as errors per interval
	// that are 0 in most intervals: their median does not move until more
	// than half the intervals are bad.
	MeanChange
)

func (m Measure) apply(o *options) {
	if m != MedianChange && m != MeanChange {
		o.fail(fmt.Errorf("%w: unknown Measure %d", ErrInvalidInput, int(m)))
		return
	}
	o.measure = m
}

// name returns "median" or "mean", for reasons.
func (m Measure) name() string {
	switch m {
	case MedianChange:
		return "median"
	case MeanChange:
		return "mean"
	}
	return fmt.Sprintf("Measure(%d)", int(m))
}

// Confidence sets the confidence level c, 0 < c < 1 (default 0.98): a
// difference is significant when p < 1 − c.
func Confidence(c float64) Option {
	return optionFunc(func(o *options) {
		if !(c > 0 && c < 1) {
			o.fail(fmt.Errorf("%w: Confidence(%v) is not in (0, 1)", ErrInvalidInput, c))
			return
		}
		o.confidence = c
	})
}

// Tolerance sets how large a significant effect may be and still pass, as a
// relative change of the median or mean (default 0.25: the canary's median
// may be up to 25% worse). It must be finite and ≥ 0; 0 fails every significant change
// in the bad direction.
func Tolerance(t float64) Option {
	return optionFunc(func(o *options) {
		if !(t >= 0) || math.IsInf(t, 0) {
			o.fail(fmt.Errorf("%w: Tolerance(%v) is not finite and ≥ 0", ErrInvalidInput, t))
			return
		}
		o.tolerance = t
	})
}

// MinSamples sets how many samples each side needs before anything but
// Inconclusive can be returned (default 50, at least 1). Whatever it says,
// sample sizes too small to ever reach significance stay Inconclusive.
func MinSamples(n int) Option {
	return optionFunc(func(o *options) {
		if n < 1 {
			o.fail(fmt.Errorf("%w: MinSamples(%d) is < 1", ErrInvalidInput, n))
			return
		}
		o.minSamples = n
	})
}
