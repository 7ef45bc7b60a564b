package rollout

import (
	"context"
	"fmt"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// deployWave deploys every target of wave w that does not run the plan's
// version yet, with at most e.limit workers. It stops at the first error.
func (r *run) deployWave(ctx context.Context, w int) error {
	var pending []string
	r.mu.Lock()
	for _, t := range r.p.waves[w].Targets {
		if ts := r.st.targets[t]; ts == nil || ts.state != StateDeployed {
			pending = append(pending, t) // never deploy a deployed target twice
		}
	}
	r.mu.Unlock()
	g, gctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	for i := 0; i < min(r.e.limit, len(pending)); i++ {
		g.Go(func() error {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(pending) {
					return nil
				}
				if gctx.Err() != nil { // another target failed (its error wins) or ctx ended
					return &interruptError{err: context.Cause(gctx)}
				}
				if err := r.deployTarget(gctx, w, pending[k]); err != nil {
					return err
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return &interruptError{err: context.Cause(ctx)}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range pending { // belt and braces: never pass a wave with an undeployed target
		if ts := r.st.targets[t]; ts == nil || ts.state != StateDeployed {
			return fmt.Errorf("rollout: internal error: wave %d finished with %q not deployed", w+1, t)
		}
	}
	return nil
}

// deployTarget records the previous version, then deploys. A target whose
// earlier deploy was in flight is settled with Version first.
func (r *run) deployTarget(ctx context.Context, w int, t string) error {
	r.mu.Lock()
	var prev string
	inFlight := false
	if ts := r.st.targets[t]; ts != nil {
		prev, inFlight = ts.prev, ts.state == StateDeploying || ts.state == StateUnknown
	}
	r.mu.Unlock()

	cur, err := r.dep.Version(ctx, t)
	if err != nil {
		return &TargetError{Target: t, Op: "version", Err: err}
	}
	if inFlight {
		switch cur {
		case r.p.version:
			return r.recordEmit(ctx, Record{Kind: RecDeployed, Target: t, Note: "confirmed by Version after an interrupted deploy"},
				Event{Kind: EventDeployed, Wave: w, Target: t})
		case prev: // the deploy had no effect: do it now
		default:
			err := fmt.Errorf("target reports version %q, neither previous %q nor new %q", cur, prev, r.p.version)
			if rerr := r.record(ctx, Record{Kind: RecUnknown, Target: t, Note: err.Error()}); rerr != nil {
				return rerr
			}
			return &TargetError{Target: t, Op: "version", Err: err}
		}
	} else {
		if prev == "" {
			prev = cur // a rehearsed target keeps its original previous version
		}
		if err := r.record(ctx, Record{Kind: RecDeploying, Target: t, Wave: w, Version: prev}); err != nil {
			return err
		}
		if cur == r.p.version {
			return r.recordEmit(ctx, Record{Kind: RecDeployed, Target: t, Note: ""},
				Event{Kind: EventDeployed, Wave: w, Target: t})
		}
	}
	if err := ctx.Err(); err != nil {
		return &interruptError{err: context.Cause(ctx)}
	}
	r.event(Event{Kind: EventDeploy, Wave: w, Target: t})
	if err := r.dep.Deploy(ctx, t, r.p.version); err != nil {
		err = fmt.Errorf("%w: %w", ErrDeploy, err)
		if rerr := r.recordEmit(ctx, Record{Kind: RecDeployFailed, Target: t, Note: err.Error()},
			Event{Kind: EventDeployFailed, Wave: w, Target: t, Err: err}); rerr != nil {
			return rerr
		}
		return &TargetError{Target: t, Op: "deploy", Err: err}
	}
	return r.recordEmit(ctx, Record{Kind: RecDeployed, Target: t}, Event{Kind: EventDeployed, Wave: w, Target: t})
}

// runGates runs gates in order and returns the first failure.
func (r *run) runGates(ctx context.Context, gates []Gate, in GateInput) error {
	for _, g := range gates {
		err := runGate(ctx, g, in)
		r.event(Event{Kind: EventGate, Wave: in.Wave, Gate: g.Name, Phase: in.Phase, Err: err})
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
	in := GateInput{Phase: PhaseDeploy, Wave: w, Targets: wave.Targets, Version: r.p.version, Pass: 1}
	if err := r.runGates(ctx, wave.Gates, in); err != nil {
		return err
	}
	clock := r.e.clock
	start := clock.Now()
	for in.Pass < wave.Bake.passes() || clock.Now().Sub(start) < wave.Bake.Min {
		if err := clock.Sleep(ctx, wave.Bake.Every); err != nil {
			return &interruptError{err: err}
		}
		in.Phase, in.Pass = PhaseBake, in.Pass+1
		if err := r.runGates(ctx, wave.Gates, in); err != nil {
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
		for _, g := range r.p.waves[w].Gates {
			if !g.SkipVerify && !seen[g.Name] {
				seen[g.Name] = true
				out = append(out, g)
			}
		}
	}
	return out
}
