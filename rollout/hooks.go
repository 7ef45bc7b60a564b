package rollout

import (
	"context"
	"fmt"
)

// waveHook is a Hooks function.
type waveHook = func(ctx context.Context, in HookInput) error

// HookInput is what a wave hook ([Hooks]) is given.
type HookInput struct {
	Wave    int      // the wave, counted from 1 as the preview does
	Targets []string // the wave's targets
	// ID names what the hook makes (a snapshot id, say): derived from the
	// plan's fingerprint, the wave and "before" or "after", the same in
	// every process, so a hook run again after a crash finds what it made.
	ID string
	// Resumed says that the journal shows this hook began in an earlier
	// process and did not finish: it may have made part of its work.
	Resumed bool
}

// Hooks runs user code around each wave: before ahead of the wave's first
// deploy (snapshot its tenants, say) and after once the wave's gates and
// bake passed (check them); either may be nil. An error fails the wave as
// a failing gate does: the rollout rolls back (ErrHook). Each run is journalled:
// a hook that finished is not run again by Resume; one that began and did
// not finish runs again with Resumed set. Hooks do not change the plan or
// its fingerprint: they are how this executor works, not what was approved.
func Hooks(before, after func(ctx context.Context, in HookInput) error) Option {
	return optionFunc(func(e *Executor) error {
		if before == nil && after == nil {
			return fmt.Errorf("%w: Hooks(nil, nil)", ErrInvalidPlan)
		}
		e.before, e.after = before, after
		return nil
	})
}

// hook runs the before or after hook of wave w (0-based), journalled.
func (r *run) hook(ctx context.Context, w int, phase string, fn waveHook) error {
	if fn == nil {
		return nil
	}
	key := hookKey(w, phase)
	st := r.st.hooks[key]
	if st == hookDone {
		return nil
	}
	in := HookInput{Wave: w + 1, Targets: append([]string(nil), r.p.waves[w].targets...),
		ID: fmt.Sprintf("%s-wave%d-%s", r.p.fingerprint[:16], w+1, phase), Resumed: st == hookStarted}
	if err := r.recordEmit(record{Kind: recHookStart, Wave: w, Note: phase}, Event{Kind: "hook " + phase, Wave: w + 1}); err != nil {
		return err
	}
	if err := fn(ctx, in); err != nil {
		return fmt.Errorf("%w: %s wave %d (id %s): %w", ErrHook, phase, w+1, in.ID, err)
	}
	return r.record(record{Kind: recHookDone, Wave: w, Note: phase})
}

const (
	hookStarted = 1
	hookDone    = 2
)

func hookKey(w int, phase string) string { return fmt.Sprintf("%d/%s", w, phase) }
