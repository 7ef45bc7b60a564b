package rollout

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/deploysafe/deploysafe/rollout/internal/guard"
)

// run is one Run, Resume or Abort call. All deployer calls go through dep.
// Its stages, in order: begin, census (the baseline), then per wave deploy
// → census → (rehearse → deploy → census) → gates and bake → confirm every
// deployed target again, then a last census, a last confirmation and the
// end; on any failure: roll back → census → put back (→ census …) →
// verify → end.
type run struct {
	e   *Executor
	p   *Plan
	j   JournalStore
	dep *guard.Guard
	mu  sync.Mutex // guards st, journal appends and events
	st  *runState
	// cur is the number of the wave the rollout has reached (1 = canary), 0
	// before the first. Only the driving goroutine writes it.
	cur int
	// jctx carries the caller's values without its cancellation: a record
	// describes work already done and is written even after ctx ends.
	jctx context.Context
	// lease is the journal's lease (nil: none), token its fencing token;
	// lose cancels the run when a proof of the lease fails (once).
	lease    lease
	token    int64
	lose     context.CancelCauseFunc
	loseOnce sync.Once
	// over says, per target, whether its latest journalled call returned.
	over map[string]bool
}

// drive runs the call's stages from the journal state.
func (r *run) drive(ctx context.Context, m mode) (*Report, error) {
	if m == modeRun {
		r.st = newRunState()
		if err := r.record(recBeginOf(r.p)); err != nil {
			return nil, err
		}
	}
	r.cur = r.st.reached()
	r.event(Event{Kind: "start", Wave: r.cur})
	if m != modeRun {
		if err := r.awaitCalls(ctx); err != nil { // an earlier holder's calls may still land
			return r.interrupted(err)
		}
	}
	switch {
	case m == modeAbort && !r.st.needsRollback(): // interrupted before anything needed undoing
		return r.end(OutcomeAborted, nil)
	case m == modeAbort:
		if err := r.record(record{Kind: recRollbackStart, Note: "abort"}); err != nil {
			return r.interrupted(err)
		}
		return r.rollback(ctx, errAborted, OutcomeAborted)
	case r.st.rollingBack:
		return r.rollback(ctx, errors.New(r.st.rollbackReason), OutcomeRolledBack)
	}
	if err := r.forward(ctx); err != nil {
		return r.stop(ctx, err)
	}
	return r.end(OutcomeSucceeded, nil)
}

func recBeginOf(p *Plan) record {
	return record{Kind: recBegin, Fingerprint: p.fingerprint, Version: p.version}
}

// forward takes the baseline census, then runs every wave not yet passed,
// then takes the last census and confirms every target again.
func (r *run) forward(ctx context.Context) error {
	if err := r.baseline(ctx); err != nil {
		return err
	}
	for w := range r.p.waves {
		if r.st.wavePassed[w] {
			continue
		}
		if err := r.wave(ctx, w); err != nil {
			return err
		}
	}
	if err := r.census(ctx); err != nil {
		return err
	}
	return r.reconfirm(ctx)
}

// wave deploys wave w, checks the fleet, rehearses the rollback on the
// canary wave, then runs the gates and bakes.
func (r *run) wave(ctx context.Context, w int) error {
	r.cur = w + 1
	r.event(Event{Kind: "wave", Wave: r.cur})
	rehearse := w == 0 && r.p.rehearse && !r.st.rehearsed
	if err := r.hook(ctx, w, "before", r.e.before); err != nil {
		return err
	}
	if !(rehearse && r.st.rehearsalStarted) {
		if err := r.deployWave(ctx, w); err != nil {
			return err
		}
		if err := r.census(ctx); err != nil {
			return err
		}
	}
	if rehearse {
		if err := r.rehearse(ctx, w); err != nil {
			return err
		}
		if err := r.deployWave(ctx, w); err != nil {
			return err
		}
		if err := r.census(ctx); err != nil {
			return err
		}
	}
	if err := r.gatesAndBake(ctx, w); err != nil {
		return err
	}
	if err := r.reconfirm(ctx); err != nil { // every deployed target, this wave's and earlier ones
		return err
	}
	if err := r.hook(ctx, w, "after", r.e.after); err != nil {
		return err
	}
	return r.recordEmit(record{Kind: recWavePassed, Wave: w}, Event{Kind: "wave passed", Wave: w + 1})
}

// stop ends a failed forward pass: it stops at once when ctx ended or the
// journal failed, ends a failed rehearsal, and rolls back otherwise.
func (r *run) stop(ctx context.Context, cause error) (*Report, error) {
	var re *rehearsalError
	switch {
	case stopNow(ctx, cause):
		return r.interrupted(cause)
	case errors.As(cause, &re):
		return r.end(OutcomeRehearsalFailed, &endDetail{cause: re.err, rollback: re.rollback, verify: re.verify})
	}
	if err := r.record(record{Kind: recRollbackStart, Note: cause.Error()}); err != nil {
		return r.interrupted(err)
	}
	return r.rollback(ctx, cause, OutcomeRolledBack)
}

// stopNow reports whether err means the rollout must stop without rolling
// back: the caller's context ended or the journal failed.
func stopNow(ctx context.Context, err error) bool {
	var ie *interruptError
	var je *journalError
	return ctx.Err() != nil || errors.As(err, &ie) || errors.As(err, &je) || errors.Is(err, ErrJournal)
}

// interrupted reports a rollout stopped by its context or journal. Nothing
// is rolled back: the journal lets Resume or Abort finish the work.
func (r *run) interrupted(cause error) (*Report, error) {
	var ie *interruptError
	if !errors.As(cause, &ie) && !errors.Is(cause, ErrJournal) {
		cause = &interruptError{err: cause}
	}
	if r.lease != nil && errors.Is(cause, ErrJournal) && !errors.Is(cause, ErrLeaseLost) {
		if _, err := r.now(r.jctx); err != nil { // a failed append on the lease's connection
			cause = fmt.Errorf("%w; %w", cause, err)
		}
	}
	r.callsOver()
	rep := r.report(OutcomeInterrupted)
	rep.Cause = cause
	r.event(Event{Kind: "done", Wave: r.cur, Outcome: OutcomeInterrupted, Err: cause})
	return rep, &failure{rep: rep}
}

// callsOver journals, for every target whose latest call returned but
// whose intent no record closes (the rollout stopped between the call and
// its outcome), that the call is over: Resume need not wait it out. A
// journal that fails here (a lost lease) leaves the wait to Resume.
func (r *run) callsOver() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for t, over := range r.over {
		if ts := r.st.targets[t]; over && ts != nil && ts.until != 0 {
			if r.recordLocked(record{Kind: recDeployFailed, Target: t, Note: ts.note}) != nil {
				return
			}
		}
	}
}

// endDetail is what a failed rollout reports besides its outcome.
type endDetail struct{ cause, rollback, verify error }

// end records the outcome (OutcomeUnknown when a target is unconfirmed)
// and returns the report, with an error unless the rollout succeeded or an
// Abort confirmed every target.
func (r *run) end(o Outcome, d *endDetail) (*Report, error) {
	if o != OutcomeSucceeded && o != OutcomeRehearsalFailed && r.hasUnknown() {
		o = OutcomeUnknown
	}
	if err := r.record(record{Kind: recEnd, Note: string(o)}); err != nil {
		return r.interrupted(err)
	}
	rep := r.report(o)
	if d == nil {
		d = &endDetail{}
	}
	rep.Cause, rep.Rollback, rep.Verify = d.cause, d.rollback, d.verify
	var err error
	if o != OutcomeSucceeded && !(o == OutcomeAborted && d.verify == nil) {
		err = &failure{rep: rep}
	}
	r.event(Event{Kind: "done", Wave: r.cur, Outcome: o, Err: err})
	return rep, err
}

// waveNum is the number of target's wave in the plan (1 = canary), or 0 for
// a target outside the plan.
func (r *run) waveNum(target string) int {
	if w, ok := r.p.waveOf[target]; ok {
		return w + 1
	}
	return 0
}

func (r *run) hasUnknown() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st.hasUnknown()
}

// report builds a Report from the journal state.
func (r *run) report(o Outcome) *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := &Report{Fingerprint: r.p.fingerprint, Version: r.p.version, Outcome: o}
	for w := range r.p.waves {
		if r.st.wavePassed[w] {
			rep.WavesPassed++
		}
	}
	for _, t := range append(append([]*tstate(nil), r.st.order...), r.st.offPlan...) {
		res := TargetResult{Target: t.target, Wave: r.waveNum(t.target), Previous: t.prev, State: t.state, Now: t.now, PutBack: t.putBack}
		res.Unhealthy = t.state == StateRolledBack && r.st.unhealthy != ""
		if t.note != "" {
			res.Err = errors.New(t.note)
		}
		rep.Targets = append(rep.Targets, res)
	}
	return rep
}
