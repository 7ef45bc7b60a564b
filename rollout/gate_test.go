package rollout

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRunGateOutcomes(t *testing.T) {
	ctx := context.Background()
	in := GateInput{Phase: phaseDeploy, Wave: 2}
	mk := func(fn func(context.Context) error) Gate {
		return Gate{Name: "g", Deadline: 40 * time.Millisecond, Check: func(c context.Context, _ GateInput) error { return fn(c) }}
	}

	if err := runGate(ctx, mk(func(context.Context) error { return nil }), in); err != nil {
		t.Fatalf("pass: %v", err)
	}
	boom := errors.New("boom")
	var ge *GateError
	err := runGate(ctx, mk(func(context.Context) error { return boom }), in)
	if !errors.As(err, &ge) || ge.TimedOut || !errors.Is(err, boom) || !errors.Is(err, ErrGateFailed) || ge.Wave != 2 {
		t.Fatalf("fail: %v", err)
	}
	// Respects ctx: times out with its own error, not abandoned.
	err = runGate(ctx, mk(func(c context.Context) error { <-c.Done(); return c.Err() }), in)
	if !errors.As(err, &ge) || !ge.TimedOut || ge.Abandoned || !errors.Is(err, ErrGateFailed) {
		t.Fatalf("ctx-respecting slow gate: %v", err)
	}
	// Ignores ctx: abandoned after a short grace.
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	err = runGate(ctx, mk(func(context.Context) error { <-release; return nil }), in)
	if !errors.As(err, &ge) || !ge.Abandoned || !ge.TimedOut {
		t.Fatalf("hung gate: %v", err)
	}
	if el := time.Since(start); el > 40*time.Millisecond+graceFor(40*time.Millisecond)+500*time.Millisecond {
		t.Errorf("hung gate took %v", el)
	}
	// The caller's ctx ends: an interruption, not a gate failure.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = runGate(cctx, mk(func(c context.Context) error { return nil }), in)
	var ie *interruptError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || errors.As(err, &ge) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestFailureErrorChain(t *testing.T) {
	f := &failure{rep: &Report{Outcome: OutcomeRehearsalFailed, Cause: errors.New("x"),
		Targets: []TargetResult{{Target: "a", State: StateUnknown}, {Target: "b", State: StateRolledBack}}}}
	if !errors.Is(f, ErrRehearsal) || !errors.Is(f, ErrUnknownState) || errors.Is(f, ErrRolledBack) {
		t.Fatalf("chain of %v", f)
	}
	if f.Error() != "rollout stopped: rollback rehearsal failed: x; 1 target(s) in unknown state: a" {
		t.Fatalf("message %q", f.Error())
	}
}

func TestFoldIgnoresEarlierRollouts(t *testing.T) {
	st := fold([]record{
		{Kind: recBegin, Fingerprint: "old"},
		{Kind: recDeploying, Target: "a", Version: "v0"},
		{Kind: recEnd, Note: "succeeded"},
		{Kind: recBegin, Fingerprint: "new"},
		{Kind: recDeploying, Target: "b", Version: "v1"},
		{Kind: recDeployFailed, Target: "b", Note: "x"},
	})
	if st.fingerprint != "new" || st.ended || len(st.order) != 1 || st.targets["b"].state != StateDeploying {
		t.Fatalf("fold: %+v", st)
	}
}

// The parent context ends while the check runs: an error then is the
// interruption, never a gate failure. (Which select branch sees it first is
// random, so it is tried many times.)
func TestGateInterruptedWhileRunning(t *testing.T) {
	in := GateInput{Phase: phaseDeploy}
	for i := 0; i < 50; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		g := Gate{Name: "g", Deadline: time.Minute, Check: func(context.Context, GateInput) error {
			cancel()
			return errors.New("no data: the scrape was cancelled")
		}}
		err := runGate(ctx, g, in)
		var ie *interruptError
		var ge *GateError
		if !errors.As(err, &ie) || errors.As(err, &ge) {
			t.Fatalf("error after the parent ended: %v, want an interruption", err)
		}
	}
}
