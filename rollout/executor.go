package rollout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/deploysafe/deploysafe/rollout/internal/guard"
	"go.opentelemetry.io/otel/metric"
)

// Executor runs plans against a Deployer. It keeps the deployer sealed: the
// only way to call it is through a guard bound to one plan's allowlist.
// Run, Resume and Abort of one Executor are serialized.
type Executor struct {
	sealed  guard.Sealed
	fleet   fleet // nil: the deployer takes no census
	store   JournalStore
	path    string // FileJournal: opened per call
	limit   int
	onEvent func(Event)
	before  waveHook // Hooks
	after   waveHook
	logger  *slog.Logger
	mp      metric.MeterProvider
	meters  *meters
	mu      sync.Mutex
}

// New returns an Executor for d.
func New(d Deployer, opts ...Option) (*Executor, error) {
	s, err := guard.Seal(d)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPlan, err)
	}
	e := &Executor{sealed: s, limit: 10}
	e.fleet, _ = d.(fleet)
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil Option", ErrInvalidPlan)
		}
		if err := o.apply(e); err != nil {
			return nil, err
		}
	}
	if e.store == nil && e.path == "" {
		e.store = &memJournal{}
	}
	e.meters = newMeters(e.mp, e.logger)
	return e, nil
}

// mode is what a call does with the journal it finds.
type mode int

const (
	modeRun mode = iota
	modeResume
	modeAbort
)

// Run executes p after checking that approved is p's fingerprint. It
// refuses, before deploying anything, when the fingerprint differs or the
// journal holds an unfinished rollout (ErrInProgress: Resume or Abort it).
//
// On success it returns a report and nil. On a deploy error, an unconfirmed
// deploy, an off-plan change or a gate failure it rolls back every touched
// target in reverse order, confirms each with Version, runs the gates again,
// and returns the report and an error wrapping the outcome's sentinel and
// the cause. When ctx ends it stops without rolling back
// (OutcomeInterrupted). A refusal before anything is deployed (fingerprint,
// unfinished journal) returns a nil report.
func (e *Executor) Run(ctx context.Context, p *Plan, approved string) (*Report, error) {
	return e.call(ctx, p, approved, modeRun)
}

// Resume continues the unfinished rollout of p recorded in the journal. It
// never deploys a target the journal shows deployed; a target whose deploy
// was in flight is settled with Version first, once that deploy is past its
// deadline (Resume waits for it: see "A lost lease, exactly" in the package
// doc). A rollout that was rolling back keeps rolling back.
func (e *Executor) Resume(ctx context.Context, p *Plan, approved string) (*Report, error) {
	return e.call(ctx, p, approved, modeResume)
}

// Abort rolls back exactly the targets the journal shows touched by the
// latest rollout of p (in reverse order), after waiting like Resume for
// calls still in flight, confirms each with Version and
// runs the gates again. It also retries targets a failed rollback left
// unconfirmed. It returns nil when every target is confirmed back.
func (e *Executor) Abort(ctx context.Context, p *Plan, approved string) (*Report, error) {
	return e.call(ctx, p, approved, modeAbort)
}

// call is the one path of Run, Resume and Abort: approve, lock, open and
// load the journal, admit the call, bind the guard, then drive the run.
func (e *Executor) call(ctx context.Context, p *Plan, approved string, m mode) (*Report, error) {
	if p == nil || p.fingerprint == "" {
		return nil, fmt.Errorf("%w: nil or unbuilt plan (use NewPlan)", ErrInvalidPlan)
	}
	if p.saved {
		return nil, fmt.Errorf("%w: a plan read from a file has no gate code: build the plan in code, check plan.Changes(saved) is empty, and run it with saved.Fingerprint()", ErrInvalidPlan)
	}
	if approved != p.fingerprint {
		return nil, fmt.Errorf("%w: approved fingerprint %q does not match plan fingerprint %q; nothing was deployed", ErrFingerprint, short(approved), short(p.fingerprint))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	j, closeJournal, err := e.openJournal()
	if err != nil {
		return nil, err
	}
	defer closeJournal()
	recs, err := loadRecords(ctx, j, time.Now())
	if err != nil {
		return nil, err
	}
	st := fold(recs)
	if err := admit(m, st, p); err != nil {
		return nil, err
	}
	if m == modeRun {
		if err := calibrate(ctx, p); err != nil {
			return nil, err
		}
	}
	dep, err := e.sealed.Bind(p.version, p.allowed, refuse)
	if err != nil {
		return nil, err
	}
	r := &run{e: e, p: p, j: j, dep: dep, st: st, jctx: context.WithoutCancel(ctx), over: map[string]bool{}}
	r.lease, _ = j.(lease)
	if r.lease == nil {
		return r.drive(ctx, m)
	}
	return r.held(ctx, m)
}

// held drives r under its journal's lease: proven first (which gives the
// fencing token), then every leaseEvery by a goroutine that cancels the
// run when a proof fails, so that no new call starts and the context of
// every call in flight ends.
func (r *run) held(ctx context.Context, m mode) (*Report, error) {
	cctx, cancel := context.WithTimeout(ctx, r.p.callDeadline)
	_, tok, err := r.lease.Check(cctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("%w: %w; nothing was done", ErrLeaseLost, err)
	}
	r.token = tok
	ctx, r.lose = context.WithCancelCause(ctx)
	defer r.lose(nil)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); r.hold(ctx, stop) }()
	defer wg.Wait()
	defer close(stop)
	return r.drive(ctx, m)
}

func (e *Executor) openJournal() (JournalStore, func(), error) {
	if e.path == "" {
		return e.store, func() {}, nil
	}
	fj, err := openFileJournal(e.path)
	if err != nil {
		return nil, nil, err
	}
	return fj, func() { _ = fj.Close() }, nil
}

// admit refuses a call the journal's state does not allow.
func admit(m mode, st *runState, p *Plan) error {
	if m == modeRun {
		switch {
		case st.begun && !st.ended:
			return fmt.Errorf("%w: rollout %s did not finish (Resume or Abort it first)", ErrInProgress, short(st.fingerprint))
		case st.begun && st.hasUnknown():
			return fmt.Errorf("%w: rollout %s left targets in unknown state (Abort it to retry their rollback)", ErrInProgress, short(st.fingerprint))
		}
		return nil
	}
	switch {
	case !st.begun:
		return fmt.Errorf("%w: the journal is empty", ErrNothingToResume)
	case st.fingerprint != p.fingerprint:
		return fmt.Errorf("%w: journal fingerprint %q does not match plan fingerprint %q; nothing was deployed", ErrFingerprint, short(st.fingerprint), short(p.fingerprint))
	case m == modeResume && st.ended:
		return fmt.Errorf("%w: rollout %s ended (%s)", ErrNothingToResume, short(st.fingerprint), st.outcome)
	case m == modeAbort && st.ended && !st.needsRollback():
		return fmt.Errorf("%w: no touched target of rollout %s is off its previous version", ErrNothingToResume, short(st.fingerprint))
	}
	return nil
}

var errAborted = errors.New("aborted by operator")

// calibrate runs every gate's calibration once (by name), before anything
// is deployed: a gate that cannot fail refuses the plan.
func calibrate(ctx context.Context, p *Plan) error {
	done := map[string]bool{}
	for _, w := range p.waves {
		for _, g := range w.gates {
			if g.Calibrate == nil || done[g.Name] {
				continue
			}
			done[g.Name] = true
			cctx, cancel := context.WithTimeout(ctx, g.Deadline)
			err := g.Calibrate(cctx)
			cancel()
			if err != nil {
				return fmt.Errorf("%w: gate %q: %w; nothing was deployed", ErrVacuousGate, g.Name, err)
			}
		}
	}
	return nil
}
