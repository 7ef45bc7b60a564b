package rollout

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Phase says why a gate runs.
type Phase int

// Phases.
const (
	// PhaseDeploy: the wave was just deployed (first gate run).
	PhaseDeploy Phase = iota + 1
	// PhaseBake: a later run while the wave bakes (GateInput.Pass counts them).
	PhaseBake
	// PhaseRehearsal: the canary wave was rolled back as a rehearsal; the
	// targets run their previous version.
	PhaseRehearsal
	// PhaseVerify: the rollout was rolled back; the targets run their
	// previous version.
	PhaseVerify
)

var phaseNames = [...]string{"", "deploy", "bake", "rehearsal", "verify"}

// String returns the phase's name.
func (p Phase) String() string {
	if p > 0 && int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return "invalid"
}

// GateInput tells a gate what to look at.
type GateInput struct {
	Phase   Phase
	Wave    int      // index into Plan.Waves (-1 for PhaseVerify after several waves)
	Targets []string // the wave's targets, or the rolled-back targets; do not modify
	Version string   // the plan's version (the targets run it in PhaseDeploy and PhaseBake)
	Pass    int      // 1 for the first run of a wave, then 2, 3, ... while baking
}

// Gate is one check that must pass before a rollout goes on. Every run is
// bounded by Deadline: a check that does not return in time fails with
// ErrGateTimeout. Any non-nil error from Check is a failure, including
// "inconclusive" and "no data": only nil passes.
//
// A check that ignores its context cannot be stopped: the executor waits a
// short grace period after the deadline, then abandons the goroutine running
// it and reports GateError.Abandoned. That goroutine ends when Check returns;
// it holds no executor state and its result is discarded.
type Gate struct {
	Name     string
	Deadline time.Duration
	Check    func(ctx context.Context, in GateInput) error
	// SkipVerify leaves the gate out of the checks run after a rollback
	// (PhaseRehearsal, PhaseVerify), e.g. canary analysis, which needs a canary.
	SkipVerify bool
}

// Check builds a gate from a plain check function, such as a canary
// analysis or an invariant check. Any error it returns fails the gate. Set
// SkipVerify on the result for checks that cannot run once the new version
// is gone (canary-versus-baseline analysis):
//
//	g := rollout.Check("canary", 5*time.Minute, canary.Check(fetch))
//	g.SkipVerify = true
func Check(name string, deadline time.Duration, fn func(ctx context.Context) error) Gate {
	g := Gate{Name: name, Deadline: deadline}
	if fn != nil {
		g.Check = func(ctx context.Context, _ GateInput) error { return fn(ctx) }
	}
	return g
}

func (g Gate) validate() error {
	switch {
	case g.Name == "":
		return errors.New("gate with empty name")
	case g.Deadline <= 0:
		return fmt.Errorf("gate %q: deadline must be > 0, got %v", g.Name, g.Deadline)
	case g.Check == nil:
		return fmt.Errorf("gate %q: nil Check function", g.Name)
	}
	return nil
}

// GateError reports a gate that did not pass.
type GateError struct {
	Gate      string
	Phase     Phase
	Wave      int
	Deadline  time.Duration
	TimedOut  bool  // the deadline passed before the check passed
	Abandoned bool  // the check ignored its context and was left running
	Err       error // what the check returned (nil when abandoned)
}

// Error names the gate, phase and wave, and says whether it hung.
func (e *GateError) Error() string {
	switch {
	case e.Abandoned:
		return fmt.Sprintf("gate %q (%s, wave %d) hung: no answer within its %v deadline; abandoned", e.Gate, e.Phase, e.Wave+1, e.Deadline)
	case e.TimedOut:
		return fmt.Sprintf("gate %q (%s, wave %d) did not pass within its %v deadline: %v", e.Gate, e.Phase, e.Wave+1, e.Deadline, e.Err)
	}
	return fmt.Sprintf("gate %q (%s, wave %d) failed: %v", e.Gate, e.Phase, e.Wave+1, e.Err)
}

// Unwrap returns ErrGateTimeout or ErrGateFailed, and the check's error.
func (e *GateError) Unwrap() []error {
	s := ErrGateFailed
	if e.TimedOut || e.Abandoned {
		s = ErrGateTimeout
	}
	if e.Err == nil {
		return []error{s}
	}
	return []error{s, e.Err}
}

// graceFor is how long a check may take to return after its deadline.
func graceFor(d time.Duration) time.Duration {
	g := d / 10
	if g < time.Millisecond {
		g = time.Millisecond
	}
	if g > time.Second {
		g = time.Second
	}
	return g
}

// callBounded runs fn under a deadline in a goroutine it can abandon. It
// returns fn's error, or (timedOut, abandoned) when fn did not finish in time.
// When the parent ctx ends first it returns the parent's error with
// interrupted set.
func callBounded(ctx context.Context, d time.Duration, fn func(context.Context) error) (err error, timedOut, abandoned, interrupted bool) {
	if ctx.Err() != nil {
		return context.Cause(ctx), false, false, true
	}
	cctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	done := make(chan error, 1) // buffered: an abandoned fn never blocks on send
	go func() { done <- fn(cctx) }()
	select {
	case err := <-done:
		if err != nil && ctx.Err() != nil {
			return context.Cause(ctx), false, false, true
		}
		return err, err != nil && cctx.Err() == context.DeadlineExceeded, false, false
	case <-cctx.Done():
	}
	if ctx.Err() != nil {
		return context.Cause(ctx), false, false, true
	}
	t := time.NewTimer(graceFor(d))
	defer t.Stop()
	select {
	case err := <-done:
		if err == nil {
			err = context.DeadlineExceeded
		}
		return err, true, false, false
	case <-t.C:
		return nil, true, true, false
	}
}

// runGate runs one gate. A nil result means pass. errInterrupted wraps the
// parent context's error when the parent ended first.
func runGate(ctx context.Context, g Gate, in GateInput) error {
	err, timedOut, abandoned, interrupted := callBounded(ctx, g.Deadline, func(c context.Context) error {
		return g.Check(c, in)
	})
	if interrupted {
		return &interruptError{err: err}
	}
	if err == nil && !abandoned {
		return nil
	}
	return &GateError{Gate: g.Name, Phase: in.Phase, Wave: in.Wave, Deadline: g.Deadline,
		TimedOut: timedOut, Abandoned: abandoned, Err: err}
}

// interruptError marks a stop caused by the caller's context.
type interruptError struct{ err error }

func (e *interruptError) Error() string { return "rollout interrupted: " + e.err.Error() }
func (e *interruptError) Unwrap() error { return e.err }
