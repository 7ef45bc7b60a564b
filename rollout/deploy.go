package rollout

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// deployWave deploys every target of wave w that does not run the plan's
// version yet, with at most Concurrency workers. It stops at the first error.
func (r *run) deployWave(ctx context.Context, w int) error {
	var pending []string
	r.mu.Lock()
	for _, t := range r.p.waves[w].targets {
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

// deployTarget records the previous version, deploys, then confirms with
// Version that the target runs the plan's version. A target whose earlier
// deploy was in flight is settled with Version first.
func (r *run) deployTarget(ctx context.Context, w int, t string) error {
	r.mu.Lock()
	var prev string
	inFlight := false
	if ts := r.st.targets[t]; ts != nil {
		prev, inFlight = ts.prev, ts.state == StateDeploying || ts.state == StateUnknown
	}
	r.mu.Unlock()

	cur, err := r.version(ctx, t)
	if err != nil {
		return &TargetError{Target: t, Op: "version", Err: err}
	}
	if inFlight {
		switch cur {
		case r.p.version:
			return r.recordEmit(record{Kind: recDeployed, Target: t, Note: "confirmed by Version after an interrupted deploy"},
				Event{Kind: "deployed", Wave: w + 1, Target: t})
		case prev: // the deploy had no effect: do it now
		default:
			err := fmt.Errorf("target reports version %q, neither previous %q nor new %q", cur, prev, r.p.version)
			if rerr := r.record(record{Kind: recUnknown, Target: t, Note: err.Error()}); rerr != nil {
				return rerr
			}
			return &TargetError{Target: t, Op: "version", Err: err}
		}
	} else if prev == "" {
		prev = cur // a rehearsed target keeps its original previous version
	}
	if err := ctx.Err(); err != nil { // journal no intent of a call that will not be made
		return &interruptError{err: context.Cause(ctx)}
	}
	// The intent, with the call's deadline, is journalled before every
	// Deploy, a resumed one too: a later holder waits it out.
	deadline, err := r.intend(ctx, record{Kind: recDeploying, Target: t, Wave: w, Version: prev})
	if err != nil {
		return err
	}
	if !inFlight && cur == r.p.version {
		return r.recordEmit(record{Kind: recDeployed, Target: t}, Event{Kind: "deployed", Wave: w + 1, Target: t})
	}
	r.event(Event{Kind: "deploy", Wave: w + 1, Target: t})
	if err := r.callUntil(ctx, "Deploy", t, deadline, func(c context.Context) error { return r.dep.Deploy(c, t, r.p.version) }); err != nil {
		return r.deployFailed(w, &TargetError{Target: t, Op: "deploy", Err: err}, stillRunning(err))
	}
	if r.p.settle > 0 {
		found, err := r.confirm(ctx, t, r.p.version)
		if err != nil {
			if !errors.Is(err, ErrConfirm) {
				err = fmt.Errorf("%w: %w", ErrConfirm, err)
			}
			return r.deployFailed(w, &TargetError{Target: t, Op: "confirm", Want: r.p.version, Found: found, Err: err}, false)
		}
	}
	return r.recordEmit(record{Kind: recDeployed, Target: t}, Event{Kind: "deployed", Wave: w + 1, Target: t})
}

// deployFailed records a deploy whose effect is unknown until Version
// says; running when the Deploy had not returned.
func (r *run) deployFailed(w int, te *TargetError, running bool) error {
	if rerr := r.recordEmit(record{Kind: recDeployFailed, Target: te.Target, Note: te.Error(), Running: running},
		Event{Kind: "deploy failed", Wave: w + 1, Target: te.Target, Err: te}); rerr != nil {
		return rerr
	}
	return te
}
