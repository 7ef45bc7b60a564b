package rollout_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// hangingFleet's calls ignore their context and never return until release
// is closed: the worst deploy tool.
type hangingFleet struct {
	*fleet
	release     chan struct{}
	hangDeploy  bool // Deploy applies, then hangs
	hangVersion bool // Version hangs once the target runs v2
	lost        bool // Deploy returns nil without any effect
}

func (h *hangingFleet) Deploy(ctx context.Context, t, v string) error {
	if h.lost {
		return nil
	}
	err := h.fleet.Deploy(ctx, t, v)
	if h.hangDeploy {
		<-h.release
	}
	return err
}

func (h *hangingFleet) Version(ctx context.Context, t string) (string, error) {
	v, err := h.fleet.Version(ctx, t)
	if h.hangVersion && v == "v2" {
		<-h.release
	}
	return v, err
}

// worstCase is the bound the package doc states for a failing rollout.
func worstCase(touched int, callDeadline, settle time.Duration, gates []time.Duration) time.Duration {
	grace := func(d time.Duration) time.Duration { return min(max(d/10, time.Millisecond), time.Second) }
	call := callDeadline + grace(callDeadline)
	total := time.Duration(touched) * (6*call + settle)
	for _, g := range gates {
		total += 2 * (g + grace(g)) // the deploy phase, then the verify phase
	}
	return total
}

// A failing rollout ends within the documented worst case whatever hangs:
// the gates in the deploy and the verify phase, Deploy, Version, or a
// Deploy that silently does nothing (confirmation waits its settle time).
func TestFailingRolloutEndsWithinTheDocumentedWorstCase(t *testing.T) {
	for _, tc := range []struct {
		name     string
		set      func(h *hangingFleet)
		hangGate bool
		min      time.Duration // the run must at least wait this: the hang really happened
	}{
		{"gates hang in deploy and verify", func(*hangingFleet) {}, true, 2 * 10 * time.Second},
		{"deploy hangs, verify gate hangs", func(h *hangingFleet) { h.hangDeploy = true }, true, 30*time.Second + 10*time.Second},
		{"version hangs after deploy", func(h *hangingFleet) { h.hangVersion = true }, false, 30 * time.Second},
		{"deploy lost", func(h *hangingFleet) { h.lost = true }, true, 45 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := &hangingFleet{fleet: newFleet("v1", "a", "b"), release: make(chan struct{})}
				defer close(h.release) // let the abandoned calls end before the bubble does
				tc.set(h)
				gate := rollout.Gate{Name: "e2e", Deadline: 10 * time.Second, Check: func(ctx context.Context, in rollout.GateInput) error {
					if tc.hangGate {
						<-h.release // ignores ctx
					}
					if in.Phase == "deploy" {
						return errors.New("error rate 9%")
					}
					return nil
				}}
				p, err := rollout.NewPlan("v2", []string{"a", "b"}, rollout.Gates(gate), rollout.NoRehearsal(),
					rollout.CallDeadline(30*time.Second), rollout.Settle(45*time.Second))
				if err != nil {
					t.Fatal(err)
				}
				ex, _ := rollout.New(h)
				start := time.Now()
				rep, err := ex.Run(context.Background(), p, p.Fingerprint())
				el := time.Since(start)
				if err == nil || rep.Outcome == rollout.OutcomeSucceeded {
					t.Fatalf("a failing rollout succeeded: %v", err)
				}
				bound := worstCase(1, 30*time.Second, 45*time.Second, []time.Duration{10 * time.Second})
				if el > bound {
					t.Errorf("took %v, documented worst case %v", el, bound)
				}
				if el < tc.min {
					t.Errorf("took %v: the hang did not happen (want at least %v)", el, tc.min)
				}
				if h.deploys["b"] != 0 {
					t.Error("the second wave was deployed")
				}
				if !strings.Contains(err.Error(), "a") {
					t.Errorf("error does not name the target: %v", err)
				}
			})
		})
	}
}

// Honest rollback report: a target rolled back whose gates then fail is
// rolled back AND unhealthy, and the summary says so.
func TestRolledBackButUnhealthyIsReported(t *testing.T) {
	f := newFleet("v1", "a", "b")
	gate := rollout.Gate{Name: "api", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
		if in.Phase == "deploy" && in.Wave == 2 || in.Phase == "verify" {
			return errors.New("500s")
		}
		return nil
	}}
	p, _ := rollout.NewPlan("v2", []string{"a", "b"}, rollout.Gates(gate), rollout.NoRehearsal())
	ex, _ := rollout.New(f)
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	if !errors.Is(err, rollout.ErrRolledBack) || !strings.Contains(err.Error(), "rolled back but UNHEALTHY") || rep.Verify == nil {
		t.Fatalf("Run: %v", err)
	}
	for _, r := range rep.Targets {
		if r.State != rollout.StateRolledBack || !r.Unhealthy {
			t.Errorf("%s: %+v, want rolled back and unhealthy", r.Target, r)
		}
	}
	// The same rollout whose verify gates pass: clean, not unhealthy.
	f2 := newFleet("v1", "a", "b")
	clean := rollout.Gate{Name: "api", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
		if in.Phase == "deploy" && in.Wave == 2 {
			return errors.New("500s")
		}
		return nil
	}}
	p2, _ := rollout.NewPlan("v2", []string{"a", "b"}, rollout.Gates(clean), rollout.NoRehearsal())
	ex2, _ := rollout.New(f2)
	rep2, err := ex2.Run(context.Background(), p2, p2.Fingerprint())
	if strings.Contains(err.Error(), "UNHEALTHY") || rep2.Verify != nil {
		t.Fatalf("clean rollback reported unhealthy: %v", err)
	}
	for _, r := range rep2.Targets {
		if r.Unhealthy {
			t.Errorf("%s unhealthy after a clean rollback", r.Target)
		}
	}
}
