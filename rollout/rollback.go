package rollout

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// rollback rolls back every touched target, latest first, takes a census,
// puts off-plan targets back (PutBack), runs the gates again on the rolled
// back targets, and ends the rollout with ok (or OutcomeUnknown).
func (r *run) rollback(ctx context.Context, cause error, ok Outcome) (*Report, error) {
	r.event(Event{Kind: "rollback", Wave: r.cur, Err: cause})
	rbErr, stop := r.rollbackTargets(ctx, r.toRollBack(-1))
	if stop != nil {
		return r.interrupted(stop)
	}
	if err := r.censusAndPutBack(ctx); err != nil {
		if stopNow(ctx, err) {
			return r.interrupted(err)
		}
		rbErr = errors.Join(rbErr, err) // the fleet's state after the rollback is unknown
	}
	verifyErr, stop := r.verify(ctx)
	if stop != nil {
		return r.interrupted(stop)
	}
	return r.end(ok, &endDetail{cause: cause, rollback: rbErr, verify: verifyErr})
}

// verify runs the gates of every touched wave on the rolled-back targets. A
// failure is recorded: those targets are rolled back but unhealthy.
func (r *run) verify(ctx context.Context) (verifyErr, stop error) {
	last, rolled := -1, []string(nil)
	r.mu.Lock()
	for _, t := range r.st.order {
		last = max(last, t.wave)
		if t.state == StateRolledBack {
			rolled = append(rolled, t.target)
		}
	}
	r.mu.Unlock()
	gates := r.verifyGates(last)
	if len(gates) == 0 || len(rolled) == 0 {
		return nil, nil
	}
	err := r.runGates(ctx, gates, GateInput{Phase: phaseVerify, Wave: last + 1, Targets: rolled, Pass: 1})
	if err == nil {
		return nil, nil
	}
	if stopNow(ctx, err) {
		return nil, err
	}
	if jerr := r.record(record{Kind: recUnhealthy, Note: err.Error()}); jerr != nil {
		return nil, jerr
	}
	return err, nil
}

// toRollBack returns the touched targets (of wave w, or of all waves when w
// < 0) that are not confirmed on their previous version, latest deploy first.
func (r *run) toRollBack(w int) []*tstate {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*tstate
	for _, t := range r.st.order {
		if t.state != StateRolledBack && (w < 0 || t.wave == w) {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].seq > out[j].seq })
	return out
}

// rollbackTargets rolls back ts one by one, in order. It returns the joined
// per-target errors, or stop when the rollout must stop (ctx, journal).
func (r *run) rollbackTargets(ctx context.Context, ts []*tstate) (errs, stop error) {
	var all []error
	for _, t := range ts {
		if ctx.Err() != nil {
			return errors.Join(all...), &interruptError{err: context.Cause(ctx)}
		}
		if err := r.rollbackTarget(ctx, t); err != nil {
			if stopNow(ctx, err) {
				return errors.Join(all...), err
			}
			all = append(all, err)
		}
	}
	return errors.Join(all...), nil
}

// rollbackTarget rolls t back only when Version says it runs the plan's
// version, then confirms the previous version with Version.
func (r *run) rollbackTarget(ctx context.Context, t *tstate) error {
	if t.state != StateRollingBack {
		if err := r.record(record{Kind: recRollingBack, Target: t.target}); err != nil {
			return err
		}
	}
	cur, err := r.version(ctx, t.target)
	if err != nil {
		return r.unknown(ctx, t, "version", err)
	}
	switch cur {
	case t.prev:
		return r.rolledBack(t) // never deployed, or already back
	case r.p.version:
	default:
		if r.p.putBack { // something else moved it: put it back like an off-plan target
			return r.putBackTouched(ctx, t, cur)
		}
		return r.unknown(ctx, t, "version", fmt.Errorf("target reports version %q, neither previous %q nor new %q; not rolled back", cur, t.prev, r.p.version))
	}
	deadline, err := r.intend(ctx, record{Kind: recRollingBack, Target: t.target})
	if err != nil {
		return err
	}
	rbErr := r.callUntil(ctx, "Rollback", t.target, deadline, func(c context.Context) error { return r.dep.Rollback(c, t.target) })
	if rbErr != nil && ctx.Err() != nil {
		return &interruptError{err: context.Cause(ctx)}
	}
	after, verr := r.version(ctx, t.target)
	switch {
	case verr != nil && rbErr != nil:
		return r.unknown(ctx, t, "rollback", fmt.Errorf("%w (then Version: %v)", rbErr, verr))
	case verr != nil:
		return r.unknown(ctx, t, "confirm", verr)
	case after == t.prev:
		return r.rolledBack(t)
	case rbErr != nil:
		return r.unknown(ctx, t, "rollback", fmt.Errorf("%w (target reports version %q)", rbErr, after))
	}
	return r.unknown(ctx, t, "confirm", fmt.Errorf("after Rollback the target reports version %q, want previous %q", after, t.prev))
}

// putBackTouched returns a deployed target that something else moved to
// cur (neither its previous version nor the plan's) to its previous
// version, through the guard's put-back permission (PutBack).
func (r *run) putBackTouched(ctx context.Context, t *tstate, cur string) error {
	r.dep.PermitPutBack(t.target, t.prev)
	if found, err := r.putBackTo(ctx, t.target, t.prev); err != nil {
		if found == "" {
			found = cur
		}
		return r.unknown(ctx, t, "put back", fmt.Errorf("target moved to version %q by something else; put back to %q failed (found %q): %w", cur, t.prev, found, err))
	}
	if err := r.record(record{Kind: recPutBack, Target: t.target}); err != nil {
		return err
	}
	return r.recordEmit(record{Kind: recRolledBack, Target: t.target},
		Event{Kind: "put back", Wave: r.waveNum(t.target), Target: t.target})
}

func (r *run) rolledBack(t *tstate) error {
	return r.recordEmit(record{Kind: recRolledBack, Target: t.target},
		Event{Kind: "rolled back", Wave: r.waveNum(t.target), Target: t.target})
}

func (r *run) unknown(ctx context.Context, t *tstate, op string, err error) error {
	if ctx.Err() != nil {
		return &interruptError{err: context.Cause(ctx)}
	}
	te := &TargetError{Target: t.target, Op: op, Err: err}
	if rerr := r.recordEmit(record{Kind: recUnknown, Target: t.target, Note: te.Error(), Running: stillRunning(err)},
		Event{Kind: "rollback failed", Wave: r.waveNum(t.target), Target: t.target, Err: te}); rerr != nil {
		return rerr
	}
	return te
}
