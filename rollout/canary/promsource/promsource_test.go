package promsource_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/canary"
	"github.com/deploysafe/deploysafe/rollout/canary/promsource"
)

const (
	scrape   = 100 * time.Millisecond
	window   = 8 * time.Second
	step     = 100 * time.Millisecond // 81 points per side at most
	baseline = `demo_latency{track="baseline"}`
)

var deploy = rollout.GateInput{Phase: "deploy", Wave: 1, Pass: 1}

// TestPrometheus runs the gate against a real Prometheus (its own process)
// scraping the test's own exporter: what passes, what fails, and every
// answer that must never pass.
func TestPrometheus(t *testing.T) {
	exp := newExporter(t)
	prom := startPrometheus(t, exp.URL, scrape)
	waitPoints(t, prom, baseline, window, step, 70)
	waitPoints(t, prom, "demo_leaving", window, step, 70)
	ctx := context.Background()

	newSource := func(t *testing.T, canaryQuery string, opts ...promsource.Option) *promsource.Source {
		t.Helper()
		src, err := promsource.New(prom, baseline, canaryQuery, append([]promsource.Option{promsource.Window(window), promsource.Step(step)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return src
	}

	t.Run("A/A passes, calibrated", func(t *testing.T) {
		src := newSource(t, `demo_latency{track="same"}`)
		b, c, err := src.Fetch(ctx)
		if err != nil || len(b) < 70 || len(c) != len(b) {
			t.Fatalf("Fetch: %d and %d points, %v", len(b), len(c), err)
		}
		g := src.Gate("canary", time.Minute)
		if err := g.Calibrate(ctx); err != nil {
			t.Fatalf("Calibrate: %v", err)
		}
		if err := g.Check(ctx, deploy); err != nil {
			t.Fatalf("Check of an A/A canary: %v", err)
		}
	})

	t.Run("a canary three times slower fails, with both queries", func(t *testing.T) {
		slow := `demo_latency{track="slow"}`
		err := newSource(t, slow).Gate("canary", time.Minute, canary.Tolerance(0.25)).Check(ctx, deploy)
		if !errors.Is(err, canary.ErrFail) {
			t.Fatalf("Check = %v, want canary.ErrFail", err)
		}
		for _, q := range []string{baseline, slow} {
			if !strings.Contains(err.Error(), q) {
				t.Errorf("the error does not quote %s: %v", q, err)
			}
		}
	})

	// Every answer that is not one fresh series of finite values: the
	// gate is inconclusive, the error a *QueryError quoting the query.
	for _, tc := range []struct {
		name, query, want string
	}{
		{"no data", `demo_absent{track="canary"}`, "no data: no series"},
		{"query error", `rate(demo_latency[`, "bad_data"},
		{"a string, not a range vector", `"text"`, "bad_data"},
		{"more than one series", `demo_latency`, "3 series, want one"},
		{"NaN", `demo_nan`, "is NaN"},
		{"+Inf", `demo_inf`, "is +Inf"},
		{"NaN from a division by zero", `demo_latency{track="same"} * 0 / 0`, "is NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newSource(t, tc.query).Gate("canary", time.Minute)
			err := g.Check(ctx, deploy)
			var qe *promsource.QueryError
			if !errors.Is(err, canary.ErrInconclusive) || !errors.As(err, &qe) {
				t.Fatalf("Check = %v, want an inconclusive *QueryError", err)
			}
			if qe.Side != "canary" || qe.Query != tc.query || !strings.Contains(err.Error(), tc.query) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check = %v (side %q), want the canary query %s and %q", err, qe.Side, tc.query, tc.want)
			}
		})
	}

	t.Run("the baseline side is checked too", func(t *testing.T) {
		src, err := promsource.New(prom, `demo_absent`, `demo_latency{track="same"}`, promsource.Window(window), promsource.Step(step))
		if err != nil {
			t.Fatal(err)
		}
		var qe *promsource.QueryError
		if _, _, err := src.Fetch(ctx); !errors.As(err, &qe) || qe.Side != "baseline" {
			t.Fatalf("Fetch = %v, want the baseline's *QueryError", err)
		}
	})

	t.Run("a query error from Prometheus is its *v1.Error", func(t *testing.T) {
		_, _, err := newSource(t, `rate(demo_latency[`).Fetch(ctx)
		var pe *v1.Error
		if !errors.As(err, &pe) || pe.Type != v1.ErrBadData {
			t.Fatalf("Fetch = %v, want a *v1.Error of type bad_data", err)
		}
	})

	t.Run("too few points: calibration refuses, the check is inconclusive", func(t *testing.T) {
		src, err := promsource.New(prom, baseline, `demo_latency{track="same"}`, promsource.Window(window), promsource.Step(4*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		g := src.Gate("canary", time.Minute)
		if err := g.Calibrate(ctx); err == nil || !strings.Contains(err.Error(), "at most 3 points") {
			t.Errorf("Calibrate = %v, want a refusal naming 3 points", err)
		}
		err = g.Check(ctx, deploy)
		if !errors.Is(err, canary.ErrInconclusive) || !strings.Contains(err.Error(), "too few samples") || !strings.Contains(err.Error(), baseline) {
			t.Errorf("Check = %v, want inconclusive, too few samples, with the queries", err)
		}
	})

	t.Run("an expired context fails", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := newSource(t, `demo_latency{track="same"}`).Gate("canary", time.Minute).Check(cctx, deploy); !errors.Is(err, context.Canceled) || !errors.Is(err, canary.ErrInconclusive) {
			t.Errorf("Check = %v, want inconclusive, context.Canceled", err)
		}
	})

	// Up to 11,001 points per side: a few failed scrapes on a loaded
	// machine (gaps) still leave 10,000.
	t.Run("2x10,000 points pass", func(t *testing.T) {
		const w, s = 11 * time.Second, time.Millisecond
		waitPoints(t, prom, baseline, w, s, 10_000)
		src, err := promsource.New(prom, baseline, `demo_latency{track="same"}`, promsource.Window(w), promsource.Step(s))
		if err != nil {
			t.Fatal(err)
		}
		g := src.Gate("canary", time.Minute)
		if err := g.Calibrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := g.Check(ctx, deploy); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the most steps New allows, Prometheus answers", func(t *testing.T) {
		src, err := promsource.New(prom, baseline, `demo_latency{track="same"}`, promsource.Window(11*time.Second), promsource.Step(time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if b, _, err := src.Fetch(ctx); err != nil || len(b) == 0 {
			t.Fatalf("Fetch of 11,000 steps: %d points, %v", len(b), err)
		}
	})

	// Through the executor: a canary without data is rolled back, a window
	// too short to decide refuses the plan before any deploy, A/A deploys.
	t.Run("a rollout", func(t *testing.T) {
		for _, tc := range []struct {
			name, canaryQuery string
			window            time.Duration
			want              error // nil: the rollout succeeds
			deploys           int
			version           string
		}{
			{"A/A deploys", `demo_latency{track="same"}`, window, nil, 1, "v2"},
			{"no canary data rolls back", `demo_latency{track="absent"}`, window, canary.ErrInconclusive, 1, "v1"},
			{"a window too short refuses the plan", `demo_latency{track="same"}`, time.Second, rollout.ErrVacuousGate, 0, "v1"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				src, err := promsource.New(prom, baseline, tc.canaryQuery, promsource.Window(tc.window), promsource.Step(step))
				if err != nil {
					t.Fatal(err)
				}
				p, err := rollout.NewPlan("v2", []string{"s1"}, rollout.Gates(src.Gate("canary", time.Minute)), rollout.NoRehearsal(), rollout.Settle(0))
				if err != nil {
					t.Fatal(err)
				}
				d := &oneSite{v: "v1"}
				ex, err := rollout.New(d)
				if err != nil {
					t.Fatal(err)
				}
				_, err = ex.Run(ctx, p, p.Fingerprint())
				if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) || d.deploys != tc.deploys || d.v != tc.version {
					t.Fatalf("Run = %v after %d deploys, at %s; want %v after %d, at %s", err, d.deploys, d.v, tc.want, tc.deploys, tc.version)
				}
				if tc.want == canary.ErrInconclusive && !strings.Contains(err.Error(), tc.canaryQuery) {
					t.Errorf("Run = %v, want the canary query in it", err)
				}
			})
		}
	})

	// Last: it changes the exporter. A series its target stopped exposing
	// gets a staleness marker and no more points; once its last point is
	// older than MaxAge the gate fails, however many points came before.
	t.Run("a stale series fails", func(t *testing.T) {
		src := newSource(t, "demo_leaving", promsource.MaxAge(time.Second))
		if _, _, err := src.Fetch(ctx); err != nil {
			t.Fatalf("Fetch before the series left: %v", err)
		}
		exp.leave()
		g := src.Gate("canary", time.Minute)
		var err error
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if err = g.Check(ctx, deploy); err != nil && strings.Contains(err.Error(), "stale") {
				break
			}
		}
		var qe *promsource.QueryError
		if !errors.Is(err, canary.ErrInconclusive) || !errors.As(err, &qe) || !strings.Contains(err.Error(), "stale: the last point") || !strings.Contains(err.Error(), "demo_leaving") {
			t.Fatalf("Check after the series left = %v, want a stale *QueryError quoting demo_leaving", err)
		}
	})
}

// TestUnreachable: nothing listens; the query fails, never passes.
func TestUnreachable(t *testing.T) {
	client, err := api.NewClient(api.Config{Address: "http://" + freeAddr(t)})
	if err != nil {
		t.Fatal(err)
	}
	src, err := promsource.New(v1.NewAPI(client), baseline, `demo_latency{track="same"}`)
	if err != nil {
		t.Fatal(err)
	}
	err = src.Gate("canary", time.Minute).Check(context.Background(), deploy)
	var qe *promsource.QueryError
	if !errors.Is(err, canary.ErrInconclusive) || !errors.As(err, &qe) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Check = %v, want an inconclusive *QueryError (connection refused)", err)
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
