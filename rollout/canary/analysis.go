package canary

import (
	"context"
	"fmt"
	"math"
)

// Analysis returns a canary analysis for a rollout gate (rollout.Check): a
// func that fetches the baseline's and the canary's samples and judges them
// with opts. It returns nil only on Pass; otherwise a *VerdictError wrapping
// ErrFail or ErrInconclusive. A fetch that fails (for instance because ctx
// expired) is Inconclusive, and the error also wraps the fetch's error.
// Analysis does not call fetch; each call of the func it returns does, once.
func Analysis(fetch func(ctx context.Context) (baseline, canary []float64, err error), opts ...Option) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		inconclusive := func(cause error) error {
			res := Result{P: math.NaN(), Effect: math.NaN(), BaselineCenter: math.NaN(),
				CanaryCenter: math.NaN(), Reason: cause.Error()}
			return &VerdictError{Result: res, Err: cause}
		}
		switch {
		case fetch == nil:
			return inconclusive(fmt.Errorf("%w: nil fetch function", ErrInvalidInput))
		case ctx == nil:
			return inconclusive(fmt.Errorf("%w: nil context", ErrInvalidInput))
		}
		if err := ctx.Err(); err != nil {
			return inconclusive(fmt.Errorf("fetching samples: %w", context.Cause(ctx)))
		}
		baseline, canary, err := fetch(ctx)
		if err != nil {
			return inconclusive(fmt.Errorf("fetching samples: %w", err))
		}
		_, err = Judge(baseline, canary, opts...)
		return err
	}
}
