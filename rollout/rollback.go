package rollout

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/go-multierror"
)

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

// rollbackTargets rolls back ts one by one, in order. It returns the
// per-target errors, or stop when the rollout must stop (ctx, journal).
func (r *run) rollbackTargets(ctx context.Context, ts []*tstate) (merr *multierror.Error, stop error) {
	for _, t := range ts {
		if ctx.Err() != nil {
			return merr, &interruptError{err: context.Cause(ctx)}
		}
		if err := r.rollbackTarget(ctx, t); err != nil {
			if r.stopNow(ctx, err) {
				return merr, err
			}
			merr = multierror.Append(merr, err)
		}
	}
	return merr, nil
}

// rollbackTarget rolls t back only when Version says it runs the plan's
// version, then confirms the previous version with Version.
func (r *run) rollbackTarget(ctx context.Context, t *tstate) error {
	if t.state != StateRollingBack {
		if err := r.record(ctx, Record{Kind: RecRollingBack, Target: t.target}); err != nil {
			return err
		}
	}
	cur, err := r.dep.Version(ctx, t.target)
	if err != nil {
		return r.unknown(ctx, t, "version", err)
	}
	switch cur {
	case t.prev:
		return r.rolledBack(ctx, t) // never deployed, or already back
	case r.p.version:
	default:
		return r.unknown(ctx, t, "version", fmt.Errorf("target reports version %q, neither previous %q nor new %q; not rolled back", cur, t.prev, r.p.version))
	}
	rbErr := r.dep.Rollback(ctx, t.target)
	if rbErr != nil && ctx.Err() != nil {
		return &interruptError{err: context.Cause(ctx)}
	}
	after, verr := r.dep.Version(ctx, t.target)
	switch {
	case verr != nil && rbErr != nil:
		return r.unknown(ctx, t, "rollback", fmt.Errorf("%w (then Version: %v)", rbErr, verr))
	case verr != nil:
		return r.unknown(ctx, t, "confirm", verr)
	case after == t.prev:
		return r.rolledBack(ctx, t)
	case rbErr != nil:
		return r.unknown(ctx, t, "rollback", fmt.Errorf("%w (target reports version %q)", rbErr, after))
	}
	return r.unknown(ctx, t, "confirm", fmt.Errorf("after Rollback the target reports version %q, want previous %q", after, t.prev))
}

func (r *run) rolledBack(ctx context.Context, t *tstate) error {
	return r.recordEmit(ctx, Record{Kind: RecRolledBack, Target: t.target},
		Event{Kind: EventRolledBack, Wave: t.wave, Target: t.target})
}

func (r *run) unknown(ctx context.Context, t *tstate, op string, err error) error {
	if ctx.Err() != nil {
		return &interruptError{err: context.Cause(ctx)}
	}
	te := &TargetError{Target: t.target, Op: op, Err: err}
	if rerr := r.recordEmit(ctx, Record{Kind: RecUnknown, Target: t.target, Note: te.Error()},
		Event{Kind: EventRollbackFailed, Wave: t.wave, Target: t.target, Err: te}); rerr != nil {
		return rerr
	}
	return te
}

// rollback rolls back every touched target, latest first, runs the gates
// again on them, and ends the rollout with ok (or OutcomeUnknown).
func (r *run) rollback(ctx context.Context, cause error, ok Outcome) (*Report, error) {
	r.event(Event{Kind: EventRollback, Err: cause})
	merr, stop := r.rollbackTargets(ctx, r.toRollBack(-1))
	if stop != nil {
		return r.interrupted(stop)
	}
	last, rolled := -1, []string(nil)
	r.mu.Lock()
	for _, t := range r.st.order {
		if t.wave > last {
			last = t.wave
		}
		if t.state == StateRolledBack {
			rolled = append(rolled, t.target)
		}
	}
	r.mu.Unlock()
	var verifyErr error
	if gates := r.verifyGates(last); len(gates) > 0 && len(rolled) > 0 {
		if err := r.runGates(ctx, gates, GateInput{Phase: PhaseVerify, Wave: last, Targets: rolled, Pass: 1}); err != nil {
			if r.stopNow(ctx, err) {
				return r.interrupted(err)
			}
			verifyErr = fmt.Errorf("%w: %w", ErrVerify, err)
		}
	}
	return r.end(ctx, ok, cause, merr, verifyErr)
}

// end records the outcome (OutcomeUnknown when a target is unconfirmed).
func (r *run) end(ctx context.Context, o Outcome, cause error, merr *multierror.Error, verifyErr error) (*Report, error) {
	unknown := r.report(o).Unknown()
	if len(unknown) > 0 && o != OutcomeRehearsalFailed {
		o = OutcomeUnknown
	}
	if err := r.record(ctx, Record{Kind: RecEnd, Note: o.String()}); err != nil {
		return r.interrupted(err)
	}
	rep := r.report(o)
	f := &Failure{Outcome: o, Cause: cause, Rollback: merr.ErrorOrNil(), Verify: verifyErr, Unknown: unknown}
	r.event(Event{Kind: EventDone, Outcome: o, Err: f})
	if o == OutcomeAborted && verifyErr == nil {
		return rep, nil
	}
	return rep, f
}

// rehearse rolls the freshly deployed canary wave back, confirms it and
// runs its gates on the previous version. It returns a nil report when the
// rehearsal passed and the wave should be deployed again.
func (r *run) rehearse(ctx context.Context, w int) (*Report, error) {
	wave := r.p.waves[w]
	if !r.st.rehearsalStarted {
		in := GateInput{Phase: PhaseDeploy, Wave: w, Targets: wave.Targets, Version: r.p.version, Pass: 1}
		if err := r.runGates(ctx, wave.Gates, in); err != nil {
			return r.fail(ctx, err)
		}
		if err := r.recordEmit(ctx, Record{Kind: RecRehearsalStart, Wave: w}, Event{Kind: EventRehearsal, Wave: w}); err != nil {
			return r.interrupted(err)
		}
	}
	merr, stop := r.rollbackTargets(ctx, r.toRollBack(w))
	if stop != nil {
		return r.interrupted(stop)
	}
	if merr != nil {
		return r.end(ctx, OutcomeRehearsalFailed, fmt.Errorf("%w: rollback of wave %d: %w", ErrRehearsal, w+1, merr), merr, nil)
	}
	if gates := r.verifyGates(w); len(gates) > 0 {
		in := GateInput{Phase: PhaseRehearsal, Wave: w, Targets: wave.Targets, Pass: 1}
		if err := r.runGates(ctx, gates, in); err != nil {
			if r.stopNow(ctx, err) {
				return r.interrupted(err)
			}
			return r.end(ctx, OutcomeRehearsalFailed, fmt.Errorf("%w: gates after rollback of wave %d: %w", ErrRehearsal, w+1, err), nil, fmt.Errorf("%w: %w", ErrVerify, err))
		}
	}
	if err := r.record(ctx, Record{Kind: RecRehearsed, Wave: w}); err != nil {
		return r.interrupted(err)
	}
	return nil, nil
}
