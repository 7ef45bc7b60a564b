package promsource

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/canary"
)

// Gate is canary.Gate over s.Fetch, judged with opts: it passes only when
// canary.Judge says Pass. A failure that is not already a *QueryError (a
// Fail, too few points) is wrapped in an error that quotes both queries, so
// every failure names the metric it judged.
//
// It is calibrated: besides canary.Calibration(opts...), the calibration
// checks that the judgement can decide with the points s's Window and Step
// give (it passes an A/A canary of that many points and fails one three
// times worse), so a window too short for canary.MinSamples refuses the plan
// before anything is deployed rather than failing the canary wave. The
// calibration does not query Prometheus: the canary has no data yet.
func (s *Source) Gate(name string, deadline time.Duration, opts ...canary.Option) rollout.Gate {
	g := canary.Gate(name, deadline, s.Fetch, opts...)
	check, calibrate := g.Check, g.Calibrate
	g.Check = func(ctx context.Context, in rollout.GateInput) error {
		err := check(ctx, in)
		var qe *QueryError
		if err == nil || errors.As(err, &qe) || s == nil {
			return err
		}
		return fmt.Errorf("promsource: baseline `%s`, canary `%s`: %w", clip.String(s.baseline), clip.String(s.canary), err)
	}
	g.Calibrate = func(ctx context.Context) error {
		if s == nil || s.api == nil {
			return fmt.Errorf("%w: Source not made by New", ErrConfig)
		}
		if err := calibrate(ctx); err != nil {
			return err
		}
		return s.calibrateWindow(opts)
	}
	return g
}

// calibrateWindow judges synthetic samples of as many points as the window
// gives: an A/A canary must pass and one three times worse, in either
// direction (the judgement's Direction is not visible here), must fail.
func (s *Source) calibrateWindow(opts []canary.Option) error {
	n := s.o.points()
	base, aa, up, down := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range base {
		base[i] = 100 + float64(i%17)
		aa[n-1-i] = base[i]
	}
	for i, v := range base {
		up[i], down[i] = 3*v, v/3
	}
	if _, err := canary.Judge(base, aa, opts...); err != nil {
		return fmt.Errorf("promsource: Window(%v) / Step(%v) gives at most %d points per side, and the judgement does not pass an A/A canary of %d points: %w",
			s.o.window, s.o.step, n, n, err)
	}
	_, errUp := canary.Judge(base, up, opts...)
	_, errDown := canary.Judge(base, down, opts...)
	if !errors.Is(errUp, canary.ErrFail) && !errors.Is(errDown, canary.ErrFail) {
		return fmt.Errorf("promsource: Window(%v) / Step(%v) gives at most %d points per side, and the judgement fails no canary of %d points three times worse: %v; %v",
			s.o.window, s.o.step, n, n, errUp, errDown)
	}
	return nil
}
