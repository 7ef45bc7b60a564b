package rollout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/deploysafe/deploysafe/rollout/internal/guard"
)

// Executor runs plans against a Deployer. It keeps the deployer sealed: the
// only way to call it is through a guard bound to one plan's allowlist.
// Run, Resume and Abort of one Executor are serialized.
type Executor struct {
	sealed  guard.Sealed
	journal Journal
	limit   int
	onEvent func(Event)
	logger  *slog.Logger
	clock   Clock
	mu      sync.Mutex
}

// Option configures an Executor.
type Option interface{ apply(*Executor) error }

type optionFunc func(*Executor) error

func (f optionFunc) apply(e *Executor) error { return f(e) }

// WithJournal records progress in j (default: a MemJournal per Executor,
// which does not survive the process). Use OpenFileJournal for Resume and
// Abort after a crash.
func WithJournal(j Journal) Option {
	return optionFunc(func(e *Executor) error {
		if j == nil {
			return errors.New("rollout: WithJournal(nil)")
		}
		e.journal = j
		return nil
	})
}

// Concurrency sets how many targets of one wave deploy at once (default 10).
func Concurrency(n int) Option {
	return optionFunc(func(e *Executor) error {
		if n < 1 {
			return fmt.Errorf("rollout: Concurrency must be >= 1, got %d", n)
		}
		e.limit = n
		return nil
	})
}

// OnEvent calls fn for every step. Calls are never concurrent; fn must not
// block for long, since the rollout waits for it.
func OnEvent(fn func(Event)) Option {
	return optionFunc(func(e *Executor) error { e.onEvent = fn; return nil })
}

// WithLogger logs every step to l (targets at Debug, waves at Info, failures at Warn).
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(e *Executor) error { e.logger = l; return nil })
}

// WithClock sets the clock used for bake times (default: real time).
func WithClock(c Clock) Option {
	return optionFunc(func(e *Executor) error {
		if c == nil {
			return errors.New("rollout: WithClock(nil)")
		}
		e.clock = c
		return nil
	})
}

// New returns an Executor for d.
func New(d Deployer, opts ...Option) (*Executor, error) {
	s, err := guard.Seal(d)
	if err != nil {
		return nil, err
	}
	e := &Executor{sealed: s, limit: 10, clock: realClock{}}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("rollout: nil Option")
		}
		if err := o.apply(e); err != nil {
			return nil, err
		}
	}
	if e.journal == nil {
		e.journal = &MemJournal{}
	}
	return e, nil
}

func (e *Executor) approve(p *Plan, approved string) error {
	if p == nil || p.fingerprint == "" {
		return fmt.Errorf("%w: nil or unbuilt plan (use NewPlan)", ErrInvalidPlan)
	}
	if approved != p.fingerprint {
		return &FingerprintError{Approved: approved, Actual: p.fingerprint, Source: "approval"}
	}
	return nil
}

func (e *Executor) load(ctx context.Context, p *Plan) (*runState, error) {
	recs, err := e.journal.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: load: %w", ErrJournal, err)
	}
	return fold(recs), nil
}

// Run executes p after checking that approved is p's fingerprint. It
// refuses, before deploying anything, when the fingerprint differs or the
// journal holds an unfinished rollout (ErrInProgress: Resume or Abort it).
//
// On success it returns a report and nil. On a deploy error or gate failure
// it rolls back every touched target in reverse order, confirms each with
// Version, runs the gates again, and returns the report and a *Failure.
// When ctx ends it stops without rolling back (OutcomeInterrupted).
// A refusal before anything is deployed (fingerprint, unfinished journal)
// returns a nil report.
func (e *Executor) Run(ctx context.Context, p *Plan, approved string) (*Report, error) {
	if err := e.approve(p, approved); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.load(ctx, p)
	if err != nil {
		return nil, err
	}
	if st.begun && !st.ended {
		return nil, fmt.Errorf("%w: rollout %s did not finish (Resume or Abort it first)", ErrInProgress, short(st.fingerprint))
	}
	if st.begun && st.hasUnknown() {
		return nil, fmt.Errorf("%w: rollout %s left targets in unknown state (Abort it to retry their rollback)", ErrInProgress, short(st.fingerprint))
	}
	r := e.newRun(p, newRunState())
	if err := r.record(ctx, Record{Kind: RecBegin, Fingerprint: p.fingerprint, Version: p.version}); err != nil {
		return nil, err
	}
	r.emit(Event{Kind: EventStart})
	return r.drive(ctx)
}

// Resume continues the unfinished rollout of p recorded in the journal. It
// never deploys a target the journal shows deployed; a target whose deploy
// was in flight is settled with Version first. A rollout that was rolling
// back keeps rolling back.
func (e *Executor) Resume(ctx context.Context, p *Plan, approved string) (*Report, error) {
	if err := e.approve(p, approved); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.resumable(ctx, p)
	if err != nil {
		return nil, err
	}
	if st.ended {
		return nil, fmt.Errorf("%w: rollout %s ended (%s)", ErrNothingToResume, short(st.fingerprint), st.outcome)
	}
	r := e.newRun(p, st)
	r.emit(Event{Kind: EventStart})
	return r.drive(ctx)
}

// Abort rolls back exactly the targets the journal shows touched by the
// latest rollout of p (in reverse order), confirms each with Version and
// runs the gates again. It also retries targets a failed rollback left
// unconfirmed. It returns nil when every target is confirmed back.
func (e *Executor) Abort(ctx context.Context, p *Plan, approved string) (*Report, error) {
	if err := e.approve(p, approved); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := e.resumable(ctx, p)
	if err != nil {
		return nil, err
	}
	if !st.needsRollback() && st.ended {
		return nil, fmt.Errorf("%w: no touched target of rollout %s is off its previous version", ErrNothingToResume, short(st.fingerprint))
	}
	r := e.newRun(p, st)
	r.emit(Event{Kind: EventStart})
	if !st.needsRollback() { // interrupted before anything needed undoing
		if err := r.record(ctx, Record{Kind: RecEnd, Note: OutcomeAborted.String()}); err != nil {
			return r.interrupted(err)
		}
		r.event(Event{Kind: EventDone, Outcome: OutcomeAborted})
		return r.report(OutcomeAborted), nil
	}
	if err := r.record(ctx, Record{Kind: RecRollbackStart, Note: "abort"}); err != nil {
		return r.interrupted(err)
	}
	return r.rollback(ctx, errors.New("aborted by operator"), OutcomeAborted)
}

func (e *Executor) resumable(ctx context.Context, p *Plan) (*runState, error) {
	st, err := e.load(ctx, p)
	if err != nil {
		return nil, err
	}
	if !st.begun {
		return nil, fmt.Errorf("%w: the journal is empty", ErrNothingToResume)
	}
	if st.fingerprint != p.fingerprint {
		return nil, &FingerprintError{Approved: st.fingerprint, Actual: p.fingerprint, Source: "journal"}
	}
	return st, nil
}

func (e *Executor) newRun(p *Plan, st *runState) *run {
	return &run{e: e, p: p, st: st, dep: e.sealed.Bind(p.version, p.allowed)}
}
