package canary_test

import (
	"context"
	"errors"
	"testing"

	"github.com/deploysafe/deploysafe/rollout/canary"
)

func fetchOf(baseline, c []float64, err error) func(context.Context) ([]float64, []float64, error) {
	return func(context.Context) ([]float64, []float64, error) { return baseline, c, err }
}

func TestAnalysis(t *testing.T) {
	ctx := context.Background()
	base := series(100, 100, 2)

	if err := canary.Analysis(fetchOf(base, series(100, 101, 2), nil))(ctx); err != nil {
		t.Fatalf("pass: %v", err)
	}

	err := canary.Analysis(fetchOf(base, series(100, 300, 2), nil))(ctx)
	var ve *canary.VerdictError
	if !errors.Is(err, canary.ErrFail) || !errors.As(err, &ve) || ve.Result.Verdict != canary.Fail || ve.Result.N2 != 100 {
		t.Fatalf("fail: %v", err)
	}

	// Options reach Judge.
	if err := canary.Analysis(fetchOf(base, series(100, 300, 2), nil), canary.LowerIsBad)(ctx); err != nil {
		t.Fatalf("lower is bad, canary higher: %v", err)
	}

	// Kayenta's bug through the gate: no baseline data is not a pass.
	err = canary.Analysis(fetchOf(nil, series(100, 300, 2), nil))(ctx)
	if !errors.Is(err, canary.ErrInconclusive) {
		t.Fatalf("no data: %v", err)
	}
}

func TestAnalysisFetchFailures(t *testing.T) {
	boom := errors.New("metrics store down")
	err := canary.Analysis(fetchOf(nil, nil, boom))(context.Background())
	var ve *canary.VerdictError
	if !errors.Is(err, canary.ErrInconclusive) || !errors.Is(err, boom) || !errors.As(err, &ve) || ve.Result.Verdict != canary.Inconclusive {
		t.Fatalf("fetch error: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err = canary.Analysis(func(context.Context) ([]float64, []float64, error) {
		called = true
		return series(100, 1, 1), series(100, 1, 1), nil
	})(ctx)
	if !errors.Is(err, canary.ErrInconclusive) || !errors.Is(err, context.Canceled) || called {
		t.Fatalf("cancelled ctx: %v (fetch called: %v)", err, called)
	}

	err = canary.Analysis(nil)(context.Background())
	if !errors.Is(err, canary.ErrInvalidInput) || !errors.Is(err, canary.ErrInconclusive) {
		t.Fatalf("nil fetch: %v", err)
	}
	var nilCtx context.Context // a nil context is the input under test
	err = canary.Analysis(fetchOf(nil, nil, nil))(nilCtx)
	if !errors.Is(err, canary.ErrInvalidInput) {
		t.Fatalf("nil ctx: %v", err)
	}
}
