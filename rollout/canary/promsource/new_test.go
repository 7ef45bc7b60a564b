package promsource_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/deploysafe/deploysafe/rollout/canary"
	"github.com/deploysafe/deploysafe/rollout/canary/promsource"
)

// offline is an API no request reaches (New and the calibration send none).
func offline(t *testing.T) v1.API {
	t.Helper()
	c, err := api.NewClient(api.Config{Address: "http://" + freeAddr(t)})
	if err != nil {
		t.Fatal(err)
	}
	return v1.NewAPI(c)
}

func TestNewRefuses(t *testing.T) {
	a := offline(t)
	for _, tc := range []struct {
		name     string
		api      v1.API
		b, c     string
		opts     []promsource.Option
		wantText string
	}{
		{"nil API", nil, "b", "c", nil, "nil v1.API"},
		{"empty baseline", a, "", "c", nil, "empty baseline query"},
		{"empty canary", a, "b", "", nil, "empty canary query"},
		{"the same query twice", a, "m", "m", nil, "the same (`m`)"},
		{"nil option", a, "b", "c", []promsource.Option{nil}, "nil Option"},
		{"Window(0)", a, "b", "c", []promsource.Option{promsource.Window(0)}, "Window(0s) is shorter than 1ms"},
		{"Step(1µs)", a, "b", "c", []promsource.Option{promsource.Step(time.Microsecond)}, "Step(1µs) is shorter than 1ms"},
		{"MaxAge(0)", a, "b", "c", []promsource.Option{promsource.MaxAge(0)}, "MaxAge(0s) must be > 0"},
		{"MaxAge(-1s)", a, "b", "c", []promsource.Option{promsource.MaxAge(-time.Second)}, "MaxAge(-1s) must be > 0"},
		{"Step longer than Window", a, "b", "c", []promsource.Option{promsource.Window(time.Minute), promsource.Step(2 * time.Minute)}, "Step(2m0s) is longer than Window(1m0s)"},
		{"more points than Prometheus answers", a, "b", "c", []promsource.Option{promsource.Window(time.Hour), promsource.Step(100 * time.Millisecond)}, "is 36000 steps; Prometheus answers at most 11000"},
		{"one step more than Prometheus answers", a, "b", "c", []promsource.Option{promsource.Window(11001 * time.Millisecond), promsource.Step(time.Millisecond)}, "is 11001 steps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := promsource.New(tc.api, tc.b, tc.c, tc.opts...)
			if src != nil || !errors.Is(err, promsource.ErrConfig) || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("New = %v, %v; want ErrConfig naming %q", src, err, tc.wantText)
			}
		})
	}
	// 11,000 steps exactly is within Prometheus's limit (TestPrometheus
	// asks a real one).
	if _, err := promsource.New(a, "b", "c", promsource.Window(11*time.Second), promsource.Step(time.Millisecond)); err != nil {
		t.Errorf("New with 11,000 steps: %v", err)
	}
}

// A Source not made by New, or nil, fails every call: it never passes.
func TestZeroSource(t *testing.T) {
	ctx := context.Background()
	for _, src := range []*promsource.Source{nil, {}} {
		if _, _, err := src.Fetch(ctx); !errors.Is(err, promsource.ErrConfig) {
			t.Errorf("Fetch = %v, want ErrConfig", err)
		}
		g := src.Gate("canary", time.Minute)
		if err := g.Check(ctx, deploy); !errors.Is(err, canary.ErrInconclusive) || !errors.Is(err, promsource.ErrConfig) {
			t.Errorf("Check = %v, want inconclusive, ErrConfig", err)
		}
		if err := g.Calibrate(ctx); !errors.Is(err, promsource.ErrConfig) {
			t.Errorf("Calibrate = %v, want ErrConfig", err)
		}
	}
	src, err := promsource.New(offline(t), "b", "c")
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1012 a nil context is the input under test
	if _, _, err := src.Fetch(nil); !errors.Is(err, promsource.ErrConfig) {
		t.Errorf("Fetch(nil) = %v, want ErrConfig", err)
	}
}

// The calibration needs no server, and refuses a judgement that cannot
// fail or a window too short for it.
func TestCalibration(t *testing.T) {
	ctx := context.Background()
	mk := func(opts ...promsource.Option) *promsource.Source {
		src, err := promsource.New(offline(t), "b", "c", opts...)
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	if err := mk().Gate("g", time.Minute).Calibrate(ctx); err != nil {
		t.Errorf("defaults (61 points): %v", err)
	}
	if err := mk(promsource.Window(time.Minute)).Gate("g", time.Minute).Calibrate(ctx); err == nil || !strings.Contains(err.Error(), "at most 7 points") {
		t.Errorf("7 points: Calibrate = %v, want a refusal", err)
	}
	if err := mk().Gate("g", time.Minute, canary.Tolerance(5)).Calibrate(ctx); err == nil {
		t.Error("a tolerance of 500%: Calibrate passed a gate that cannot fail")
	}
	// 61 points, MinSamples 61: the window's points are enough, and a
	// judgement that needs one more is refused.
	if err := mk().Gate("g", time.Minute, canary.MinSamples(61)).Calibrate(ctx); err != nil {
		t.Errorf("MinSamples(61) with 61 points: %v", err)
	}
	if err := mk().Gate("g", time.Minute, canary.MinSamples(62), canary.LowerIsBad).Calibrate(ctx); err == nil || !strings.Contains(err.Error(), "A/A canary of 61 points") {
		t.Errorf("MinSamples(62) with 61 points: Calibrate = %v, want a refusal", err)
	}
	if err := mk().Gate("g", time.Minute, canary.LowerIsBad).Calibrate(ctx); err != nil {
		t.Errorf("LowerIsBad: %v", err)
	}
}
