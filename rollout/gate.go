package rollout

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Gate phases: GateInput.Phase says why a gate runs.
const (
	phaseDeploy    = "deploy"    // the wave was just deployed (first gate run)
	phaseBake      = "bake"      // a later run while the wave bakes (GateInput.Pass counts them)
	phaseRehearsal = "rehearsal" // the canary wave was rolled back as a rehearsal
	phaseVerify    = "verify"    // the rollout was rolled back
)

// GateInput tells a gate what to look at.
type GateInput struct {
	// Phase is "deploy" (the wave was just deployed), "bake" (a later run
	// while the wave bakes), "rehearsal" (the canary wave was rolled back as
	// a rehearsal) or "verify" (the rollout was rolled back). In the last
	// two the targets run their previous version.
	Phase   string
	Wave    int      // the wave's number, 1 for the canary (Plan.Waves()[Wave-1]); in "verify" the latest wave rolled back
	Targets []string // the wave's targets, or the rolled-back targets; do not modify
	Version string   // the plan's version (the targets run it in "deploy" and "bake")
	Pass    int      // 1 for the first run of a wave, then 2, 3, ... while baking
}

// Gate is one check that must pass before a rollout goes on. Every run is
// bounded by Deadline: a check that does not return in time fails
// (GateError.TimedOut). Any non-nil error from Check is a failure, including
// "inconclusive" and "no data": only nil passes. An error that implements
// slog.LogValuer (a canary judgement with its measured values) is logged
// with its value.
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
	// ("rehearsal", "verify"), e.g. canary analysis, which needs a canary.
	SkipVerify bool
	// Calibrate, if set, proves that the gate can fail: it runs the gate's
	// judgement on a known-bad input, which must fail, and on an A/A input,
	// which must pass, and returns an error otherwise. Run calibrates every
	// gate before the first deploy and refuses the plan (ErrVacuousGate)
	// when one cannot fail. canary.Gate sets it.
	Calibrate func(ctx context.Context) error
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

// runGate runs one gate. A nil result means pass. An *interruptError wraps
// the parent context's error when the parent ended first.
func runGate(ctx context.Context, g Gate, in GateInput) error {
	b := callBounded(ctx, g.Deadline, func(c context.Context) error { return g.Check(c, in) })
	if b.interrupted {
		return &interruptError{err: b.err}
	}
	if b.err == nil && !b.abandoned {
		return nil
	}
	return &GateError{Gate: g.Name, Phase: in.Phase, Wave: in.Wave, Deadline: g.Deadline,
		TimedOut: b.timedOut, Abandoned: b.abandoned, Err: b.err}
}

// runGates runs gates in order and returns the first failure.
func (r *run) runGates(ctx context.Context, gates []Gate, in GateInput) error {
	for _, g := range gates {
		start := time.Now()
		err := runGate(ctx, g, in)
		r.event(Event{Kind: "gate", Wave: in.Wave, Gate: g.Name, Phase: in.Phase, Err: err, Elapsed: time.Since(start)})
		if err != nil {
			return err
		}
	}
	return nil
}

// gatesAndBake runs wave w's gates, then bakes: the gates run again every
// Bake.Every until both Bake.Min has passed and they passed Bake.Passes times.
func (r *run) gatesAndBake(ctx context.Context, w int) error {
	wave := r.p.waves[w]
	in := GateInput{Phase: phaseDeploy, Wave: w + 1, Targets: wave.targets, Version: r.p.version, Pass: 1}
	if err := r.runGates(ctx, wave.gates, in); err != nil {
		return err
	}
	start := time.Now()
	for in.Pass < wave.bake.passes() || time.Since(start) < wave.bake.Min {
		if err := sleep(ctx, wave.bake.Every); err != nil {
			return err
		}
		in.Phase, in.Pass = phaseBake, in.Pass+1
		if err := r.runGates(ctx, wave.gates, in); err != nil {
			return err
		}
	}
	return nil
}

// verifyGates are the gates run after a rollback of waves up to last.
func (r *run) verifyGates(last int) []Gate {
	var out []Gate
	seen := map[string]bool{}
	for w := 0; w <= last && w < len(r.p.waves); w++ {
		for _, g := range r.p.waves[w].gates {
			if !g.SkipVerify && !seen[g.Name] {
				seen[g.Name] = true
				out = append(out, g)
			}
		}
	}
	return out
}
