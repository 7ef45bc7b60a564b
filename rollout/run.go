package rollout

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/deploysafe/deploysafe/rollout/internal/guard"
)

// run is one Run, Resume or Abort call. All deployer calls go through dep.
type run struct {
	e   *Executor
	p   *Plan
	dep *guard.Guard
	mu  sync.Mutex // guards st, jctx, journal appends and events
	st  *runState
	// jctx carries the caller's values without its cancellation: a record
	// describes work already done and is written even after ctx ends.
	jctx context.Context
}

// journalError marks a failed journal write: the rollout stops at once.
type journalError struct{ err error }

func (e *journalError) Error() string   { return fmt.Sprintf("%v: append: %v", ErrJournal, e.err) }
func (e *journalError) Unwrap() []error { return []error{ErrJournal, e.err} }

// record appends rec to the journal (write-ahead) and applies it.
func (r *run) record(ctx context.Context, rec Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recordLocked(ctx, rec)
}

func (r *run) recordLocked(ctx context.Context, rec Record) error {
	if r.jctx == nil {
		r.jctx = context.WithoutCancel(ctx)
	}
	if err := r.e.journal.Append(r.jctx, rec); err != nil {
		return &journalError{err: err}
	}
	r.st.apply(rec)
	return nil
}

// recordEmit appends rec and emits ev under one lock.
func (r *run) recordEmit(ctx context.Context, rec Record, ev Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.recordLocked(ctx, rec); err != nil {
		return err
	}
	r.emit(ev)
	return nil
}

func (r *run) event(ev Event) {
	r.mu.Lock()
	r.emit(ev)
	r.mu.Unlock()
}

// drive runs the remaining waves from the journal state.
func (r *run) drive(ctx context.Context) (*Report, error) {
	if r.st.rollingBack {
		return r.rollback(ctx, errors.New(r.st.rollbackReason), OutcomeRolledBack)
	}
	for w := range r.p.waves {
		if r.st.wavePassed[w] {
			continue
		}
		r.event(Event{Kind: EventWave, Wave: w})
		rehearse := w == 0 && r.p.rehearse && !r.st.rehearsed
		if !(rehearse && r.st.rehearsalStarted) {
			if err := r.deployWave(ctx, w); err != nil {
				return r.fail(ctx, err)
			}
		}
		if rehearse {
			if rep, err := r.rehearse(ctx, w); rep != nil {
				return rep, err
			}
			if err := r.deployWave(ctx, w); err != nil {
				return r.fail(ctx, err)
			}
		}
		if err := r.gatesAndBake(ctx, w); err != nil {
			return r.fail(ctx, err)
		}
		if err := r.recordEmit(ctx, Record{Kind: RecWavePassed, Wave: w}, Event{Kind: EventWavePassed, Wave: w}); err != nil {
			return r.interrupted(err)
		}
	}
	if err := r.record(ctx, Record{Kind: RecEnd, Note: OutcomeSucceeded.String()}); err != nil {
		return r.interrupted(err)
	}
	r.event(Event{Kind: EventDone, Outcome: OutcomeSucceeded})
	return r.report(OutcomeSucceeded), nil
}

// stopNow reports whether err means the rollout must stop without rolling
// back: the caller's context ended or the journal failed.
func (r *run) stopNow(ctx context.Context, err error) bool {
	var ie *interruptError
	var je *journalError
	return ctx.Err() != nil || errors.As(err, &ie) || errors.As(err, &je)
}

// fail rolls everything back after cause, unless the rollout must stop.
func (r *run) fail(ctx context.Context, cause error) (*Report, error) {
	if r.stopNow(ctx, cause) {
		return r.interrupted(cause)
	}
	if err := r.record(ctx, Record{Kind: RecRollbackStart, Note: cause.Error()}); err != nil {
		return r.interrupted(err)
	}
	return r.rollback(ctx, cause, OutcomeRolledBack)
}

// interrupted reports a rollout stopped by its context or journal. Nothing
// is rolled back: the journal lets Resume or Abort finish the work.
func (r *run) interrupted(cause error) (*Report, error) {
	var ie *interruptError
	if !errors.As(cause, &ie) && !errors.Is(cause, ErrJournal) {
		cause = &interruptError{err: cause}
	}
	rep := r.report(OutcomeInterrupted)
	r.event(Event{Kind: EventDone, Outcome: OutcomeInterrupted, Err: cause})
	return rep, &Failure{Outcome: OutcomeInterrupted, Cause: cause, Unknown: rep.Unknown()}
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
	for _, t := range r.st.order {
		res := TargetResult{Target: t.target, Wave: t.wave, Previous: t.prev, State: t.state}
		if t.note != "" {
			res.Err = errors.New(t.note)
		}
		rep.Targets = append(rep.Targets, res)
	}
	return rep
}
