package rollout

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// reconfirm asks Version again, with at most Concurrency workers, for every
// target the rollout confirmed on the plan's version: after each wave's
// gates and bake, and at the end. A target that no longer reports it was
// moved by something else: it is a failed confirmation (*TargetError, Op
// "confirm", ErrConfirm), every such target is named, and the rollout rolls
// back. Settle(0) turns this off with the first confirmation.
func (r *run) reconfirm(ctx context.Context) error {
	if r.p.settle <= 0 {
		return nil
	}
	var deployed []string
	r.mu.Lock()
	for _, t := range r.st.order {
		if t.state == StateDeployed {
			deployed = append(deployed, t.target)
		}
	}
	r.mu.Unlock()
	var (
		mu    sync.Mutex
		moved []error
		next  atomic.Int64
	)
	g, gctx := errgroup.WithContext(ctx)
	for range min(r.e.limit, len(deployed)) { // workers, not a goroutine per target
		g.Go(func() error {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(deployed) {
					return nil
				}
				t := deployed[k]
				found, err := r.version(gctx, t)
				if stopNow(gctx, err) {
					return err
				}
				var te *TargetError
				switch {
				case err != nil:
					te = &TargetError{Target: t, Op: "version", Err: err}
				case found != r.p.version:
					te = &TargetError{Target: t, Op: "confirm", Want: r.p.version, Found: found,
						Err: fmt.Errorf("%w: confirmed earlier, it no longer runs the plan's version", ErrConfirm)}
				default:
					continue
				}
				mu.Lock()
				moved = append(moved, te)
				mu.Unlock()
			}
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return &interruptError{err: context.Cause(ctx)}
	}
	return errors.Join(moved...)
}
