package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// absent is the version recorded for a target a census no longer lists.
const absent = "(absent)"

// takeCensus asks the deployer for every target it reaches, within
// CallDeadline. Duplicates and an empty census are errors: a census that
// cannot be believed is Unknown.
func (r *run) takeCensus(ctx context.Context) (map[string]string, error) {
	res := make(chan map[string]string, 1) // buffered: an abandoned census never blocks
	err := r.call(ctx, "Census", func(c context.Context) error {
		seen := make(map[string]string, len(r.st.census))
		var dups []error
		err := r.e.fleet.Census(c, func(t, v string) {
			if old, dup := seen[t]; dup && len(dups) < 10 {
				dups = append(dups, fmt.Errorf("target %q listed twice (versions %q and %q)", t, old, v))
			}
			seen[t] = v
		})
		if err == nil {
			err = errors.Join(dups...)
		}
		res <- seen
		return err
	})
	if err != nil {
		if stopNow(ctx, err) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrCensus, err)
	}
	now := <-res
	if len(now) == 0 {
		return nil, fmt.Errorf("%w: the census listed no targets", ErrCensus)
	}
	return now, nil
}

// baseline records the census before the first deploy. A resumed rollout
// keeps the baseline its journal holds.
func (r *run) baseline(ctx context.Context) error {
	if r.e.fleet == nil || r.st.census != nil {
		return nil
	}
	now, err := r.takeCensus(ctx)
	if err != nil {
		return err
	}
	return r.recordEmit(record{Kind: recCensus, Census: now}, Event{Kind: "census", Wave: r.cur})
}

// census compares the fleet with the baseline: a target the rollout did not
// touch whose version changed is an off-plan change. Each one is recorded
// (with its before and after versions) and returned as an *OffPlanError;
// a change seen before is recorded again only when it moved on. A target
// the rollout deployed that no longer runs the plan's version is a failed
// deploy (*TargetError, Op "confirm"); during a rollback, a target rolled
// back that no longer runs its previous version is recorded unknown.
func (r *run) census(ctx context.Context) error {
	if r.e.fleet == nil || r.st.census == nil {
		return nil
	}
	now, err := r.takeCensus(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	var recs []record
	var errs []error
	var moved []*TargetError
	for _, ts := range r.st.order { // the rollout's own deploys and rollbacks must still hold
		got := now[ts.target]
		switch {
		case ts.state == StateDeployed && got != r.p.version:
			errs = append(errs, &TargetError{Target: ts.target, Op: "confirm", Want: r.p.version, Found: got,
				Err: fmt.Errorf("%w: the census finds it off the version it was deployed", ErrConfirm)})
		case ts.state == StateRolledBack && r.st.rollingBack && got != ts.prev:
			moved = append(moved, &TargetError{Target: ts.target, Op: "confirm", Want: ts.prev, Found: got,
				Err: errors.New("the census finds it moved off the version it was rolled back to")})
		}
	}
	for t, before := range r.st.census {
		if r.st.touched(t) {
			continue
		}
		after, ok := now[t]
		if !ok {
			after = absent
		}
		prior := r.st.targets[t] // an off-plan change recorded earlier
		if after == before && prior == nil {
			continue
		}
		if prior != nil && (prior.now == after || prior.putBack && after == before) {
			continue // seen before, or where the put back left it
		}
		recs = append(recs, record{Kind: recOffPlan, Target: t, Version: before, Note: after})
	}
	r.mu.Unlock()
	slices.SortFunc(recs, func(a, b record) int { return strings.Compare(a.Target, b.Target) }) // a stable report
	offs := make([]error, len(recs))
	for i, rec := range recs {
		offs[i] = &OffPlanError{Op: "census", Target: rec.Target, Before: rec.Version, Version: rec.Note}
		errs = append(errs, offs[i])
	}
	for _, te := range moved {
		errs = append(errs, te)
		if jerr := r.recordEmit(record{Kind: recUnknown, Target: te.Target, Note: te.Error()},
			Event{Kind: "rollback failed", Wave: r.waveNum(te.Target), Target: te.Target, Err: te}); jerr != nil {
			return jerr
		}
	}
	found := errors.Join(errs...)
	r.event(Event{Kind: "census", Wave: r.cur, Err: found}) // Warn when it found a change
	for i, rec := range recs {
		if jerr := r.recordEmit(rec, Event{Kind: "off-plan", Wave: r.waveNum(rec.Target), Target: rec.Target, Err: offs[i]}); jerr != nil {
			return jerr
		}
	}
	return found
}

// putBackRounds bounds the rounds of census and put back after a rollback:
// a put back that moves other targets (a wrong selector) is censused and
// those are put back in turn, at most this many times.
const putBackRounds = 3

// censusAndPutBack takes a census after the rollback and, when the plan
// allows it (PutBack), returns every off-plan target (in the plan or outside
// it) to the version the baseline census recorded, then takes a census
// again: a put back is a deploy, and can move something else. The guard
// permits exactly that version for exactly that target; each one is
// journalled and confirmed like a rollback. A target that cannot be put back
// (the put back fails, the baseline did not list it, it is still moving
// after putBackRounds) is recorded as left where it is: the rollout does not
// end "rolled back". Off-plan changes are in the report, not the error.
func (r *run) censusAndPutBack(ctx context.Context) error {
	var errs []error
	tried := map[*tstate]bool{}
	for round := 0; ; round++ {
		if err := r.census(ctx); err != nil {
			if stopNow(ctx, err) {
				return err
			}
			errs = append(errs, withoutOffPlan(err)...)
		}
		if !r.p.putBack {
			return errors.Join(errs...)
		}
		todo := r.offPlanWhere(func(t *tstate) bool { return !t.putBack && !tried[t] })
		if len(todo) == 0 || round == putBackRounds {
			break
		}
		for _, t := range todo {
			tried[t] = true
			if err := r.putBackOne(ctx, t); err != nil {
				if stopNow(ctx, err) {
					return err
				}
				errs = append(errs, err)
			}
		}
	}
	// Still moving after the rounds, or moved again once put back.
	for _, t := range r.offPlanWhere(func(t *tstate) bool { return !t.putBack && !t.left }) {
		err := r.notPutBack(t, &TargetError{Target: t.target, Op: "put back", Found: t.now,
			Err: fmt.Errorf("it changed again while targets were put back (%d rounds); left for the operator", putBackRounds)})
		if stopNow(ctx, err) {
			return err
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// offPlanWhere returns the off-plan targets for which keep is true.
func (r *run) offPlanWhere(keep func(*tstate) bool) []*tstate {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*tstate
	for _, t := range r.st.offPlan {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out
}

// withoutOffPlan returns the errors of a census that are not off-plan
// changes (those are in the report): census failures, moved targets.
func withoutOffPlan(err error) []error {
	var out []error
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var ope *OffPlanError
		if !errors.As(e, &ope) {
			out = append(out, e)
		}
	}
	return out
}

func (r *run) putBackOne(ctx context.Context, t *tstate) error {
	if t.prev == absent {
		te := &TargetError{Target: t.target, Op: "put back", Err: errors.New("the first census did not list it: there is no version to put back")}
		return r.notPutBack(t, te)
	}
	r.dep.PermitPutBack(t.target, t.prev)
	if err := r.record(record{Kind: recRollingBack, Target: t.target}); err != nil {
		return err
	}
	if cur, err := r.putBackTo(ctx, t.target, t.prev); err != nil {
		if stopNow(ctx, err) {
			return err
		}
		return r.notPutBack(t, &TargetError{Target: t.target, Op: "put back", Want: t.prev, Found: cur, Err: err})
	}
	return r.recordEmit(record{Kind: recPutBack, Target: t.target}, Event{Kind: "put back", Wave: r.waveNum(t.target), Target: t.target})
}

// putBackTo deploys version to target unless it runs it already, then
// confirms it with Version. The caller permitted the put back.
func (r *run) putBackTo(ctx context.Context, target, version string) (cur string, err error) {
	cur, err = r.version(ctx, target)
	if err != nil || cur == version {
		return cur, err
	}
	deadline, err := r.intend(ctx, record{Kind: recRollingBack, Target: target})
	if err != nil {
		return cur, err
	}
	if err = r.callUntil(ctx, "Deploy", target, deadline, func(c context.Context) error { return r.dep.Deploy(c, target, version) }); err == nil {
		cur, err = r.confirm(ctx, target, version)
	}
	return cur, err
}

// notPutBack records that off-plan target t stays where something else
// moved it.
func (r *run) notPutBack(t *tstate, te *TargetError) error {
	if rerr := r.recordEmit(record{Kind: recUnknown, Target: t.target, Note: te.Error(), Running: stillRunning(te)},
		Event{Kind: "rollback failed", Wave: r.waveNum(t.target), Target: t.target, Err: te}); rerr != nil {
		return rerr
	}
	return te
}
