package canary

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// Gate is a rollout gate that judges fetch's samples as Analysis does,
// calibrated: before the first deploy the executor checks that this
// judgement, with these options, fails a canary far worse than its baseline
// and passes one drawn like it (A/A), and refuses the plan otherwise. A
// judgement that cannot fail (a tolerance no canary exceeds, a confidence
// no sample reaches) is a gate that passes without evidence.
func Gate(name string, deadline time.Duration, fetch func(ctx context.Context) (baseline, canary []float64, err error), opts ...Option) rollout.Gate {
	check := Analysis(fetch, opts...)
	return rollout.Gate{Name: name, Deadline: deadline, Calibrate: Calibration(opts...), SkipVerify: true,
		Check: func(ctx context.Context, _ rollout.GateInput) error { return check(ctx) }}
}

// Calibration returns a gate calibration for a judgement with opts (see
// rollout.Gate.Calibrate): nil when Judge fails a known-bad canary (every
// sample three times worse than the baseline's, in the bad direction: ×3,
// or ÷3 for LowerIsBad) and passes an A/A one (the baseline's own samples),
// each with twice MinSamples samples.
func Calibration(opts ...Option) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		o := newOptions(opts)
		if o.err != nil {
			return o.err
		}
		n := 2 * o.minSamples
		base := make([]float64, n)
		for i := range base {
			base[i] = 100 + float64(i%17) // a spread, no ties across the halves' order
		}
		// Known bad: three times worse. A judgement that passes that
		// protects nothing, whatever its tolerance was meant to allow.
		const factor = 3.0
		bad := make([]float64, n)
		for i, v := range base {
			if o.direction == LowerIsBad {
				bad[i] = v / factor
			} else {
				bad[i] = v * factor
			}
		}
		if _, err := Judge(base, bad, opts...); !errors.Is(err, ErrFail) {
			return fmt.Errorf("canary: the judgement does not fail a canary %.0f%% worse than its baseline (%v): it cannot fail", 100*(factor-1), err)
		}
		aa := append([]float64(nil), base...)
		for i, j := 0, len(aa)-1; i < j; i, j = i+1, j-1 {
			aa[i], aa[j] = aa[j], aa[i]
		}
		if _, err := Judge(base, aa, opts...); err != nil {
			return fmt.Errorf("canary: the judgement does not pass a canary drawn like its baseline (A/A): %w", err)
		}
		return ctx.Err()
	}
}
