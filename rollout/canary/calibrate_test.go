package canary_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/canary"
)

// TestCalibration: the default judgement and a sensible one can fail and
// pass A/A; a tolerance no canary exceeds, or too few samples to reach
// significance, cannot fail, and the calibration says so.
func TestCalibration(t *testing.T) {
	ctx := context.Background()
	for _, opts := range [][]canary.Option{
		nil,
		{canary.LowerIsBad, canary.Tolerance(0.1)},
		{canary.EitherIsBad, canary.MeanChange, canary.Confidence(0.999)},
	} {
		if err := canary.Calibration(opts...)(ctx); err != nil {
			t.Errorf("Calibration(%v) = %v, want nil", opts, err)
		}
	}
	for name, opts := range map[string][]canary.Option{
		"tolerance no canary exceeds": {canary.Tolerance(1e300)},
		"too few samples":             {canary.MinSamples(1)},
		"invalid option":              {canary.Confidence(2)},
	} {
		if err := canary.Calibration(opts...)(ctx); err == nil {
			t.Errorf("%s: Calibration = nil, want an error", name)
		}
	}
}

// TestVacuousGateRefused: a calibrated canary gate that cannot fail
// refuses the plan before anything is deployed; one that can runs.
func TestVacuousGateRefused(t *testing.T) {
	fetch := func(context.Context) ([]float64, []float64, error) {
		b := make([]float64, 100)
		for i := range b {
			b[i] = float64(100 + i%7)
		}
		return b, b, nil
	}
	for _, tc := range []struct {
		name string
		opts []canary.Option
		ok   bool
	}{{"calibrated", nil, true}, {"vacuous", []canary.Option{canary.Tolerance(1e300)}, false}} {
		t.Run(tc.name, func(t *testing.T) {
			d := &oneSite{v: "v1"}
			p, err := rollout.NewPlan("v2", []string{"s1"}, rollout.Gates(canary.Gate("canary", time.Second, fetch, tc.opts...)), rollout.NoRehearsal(), rollout.Settle(0))
			if err != nil {
				t.Fatal(err)
			}
			_, err = mustNew(t, d).Run(context.Background(), p, p.Fingerprint())
			if tc.ok && err != nil {
				t.Fatalf("Run with a calibrated gate: %v", err)
			}
			if !tc.ok && (!errors.Is(err, rollout.ErrVacuousGate) || !strings.Contains(err.Error(), "cannot fail") || d.deploys != 0) {
				t.Fatalf("Run with a vacuous gate = %v after %d deploys, want ErrVacuousGate and none", err, d.deploys)
			}
		})
	}
}

type oneSite struct {
	v       string
	deploys int
}

func (s *oneSite) Deploy(_ context.Context, _, v string) error { s.deploys++; s.v = v; return nil }
func (s *oneSite) Rollback(context.Context, string) error      { s.v = "v1"; return nil }
func (s *oneSite) Version(context.Context, string) (string, error) {
	return s.v, nil
}

func mustNew(t *testing.T, d rollout.Deployer) *rollout.Executor {
	t.Helper()
	ex, err := rollout.New(d)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}
