package rollout

import (
	"context"
	"fmt"
	"time"
)

// lease is implemented by a JournalStore whose rollout is owned through a
// lease that replicas share (pgjournal.Journal): a method Check(ctx)
// (now time.Time, token int64, err error) that proves the store still holds
// the lease and returns the store's clock at that moment and the lease's
// fencing token, a number that grows with every new holder of the rollout;
// any error means the lease may be lost. With one, the executor proves the
// lease before every Deploy and Rollback, checks it every quarter of the
// CallDeadline (at most 5 s) while the call runs, and measures every
// call's deadline on the store's clock.
type lease interface {
	Check(ctx context.Context) (now time.Time, token int64, err error)
}

type tokenKey struct{}

// FencingToken returns the fencing token of the lease under which the
// executor makes the call whose ctx is given (Deployer methods receive
// it), and false when the journal has no Lease. A target system that
// records the highest token it has seen and refuses calls with a lower
// one cannot be changed by a holder that lost its lease, even by a Deploy
// that ignores its context.
func FencingToken(ctx context.Context) (int64, bool) {
	t, ok := ctx.Value(tokenKey{}).(int64)
	return t, ok
}

// leaseEvery is how often the lease is checked while the rollout runs.
func leaseEvery(callDeadline time.Duration) time.Duration {
	return min(max(callDeadline/4, 10*time.Millisecond), 5*time.Second)
}

// hold proves the lease once and then every leaseEvery until ctx ends or
// stop is closed; when a proof fails it cancels the run with ErrLeaseLost
// (the context of every call in flight ends). The caller waits for it.
func (r *run) hold(ctx context.Context, stop <-chan struct{}) {
	t := time.NewTicker(leaseEvery(r.p.callDeadline))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := r.now(ctx); err != nil {
			return
		}
	}
}

// now returns the store's clock, proving the lease when the store has one
// (the local clock otherwise). A failed proof cancels the run.
func (r *run) now(ctx context.Context) (time.Time, error) {
	if r.lease == nil {
		return time.Now(), nil
	}
	// The proof is not cancelled with ctx (a wave stopped by a failure, a
	// caller's cancel): on pgjournal a statement cancelled mid-flight
	// closes the lease's connection, and the rollback that must follow
	// could then journal nothing. It is bounded by CallDeadline instead.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.p.callDeadline)
	defer cancel()
	now, tok, err := r.lease.Check(cctx)
	switch {
	case err == nil && tok != r.token:
		err = fmt.Errorf("the fencing token changed from %d to %d", r.token, tok)
	case err == nil && ctx.Err() != nil:
		return time.Time{}, &interruptError{err: context.Cause(ctx)}
	case err == nil:
		return now, nil
	}
	lost := &interruptError{err: fmt.Errorf("%w: %w", ErrLeaseLost, err)}
	r.loseOnce.Do(func() {
		r.event(Event{Kind: "lease lost", Wave: r.cur, Err: lost.err})
		r.lose(lost.err)
	})
	return time.Time{}, lost
}

// intend journals rec, the intent of the Deploy or Rollback that follows,
// with that call's deadline on the store's clock (Until), after proving
// the lease. It returns the call's deadline on this machine's clock,
// measured from before the proof: the call's context ends no later than
// the journal says.
func (r *run) intend(ctx context.Context, rec record) (time.Time, error) {
	start := time.Now()
	now, err := r.now(ctx)
	if err != nil {
		return time.Time{}, err
	}
	rec.Until = now.Add(r.p.callDeadline).UnixNano()
	if err := r.record(rec); err != nil {
		return time.Time{}, err
	}
	return start.Add(r.p.callDeadline), nil
}

// awaitCalls waits, before a Resume or Abort acts, until every call that
// an earlier holder journalled and did not see end is past its deadline on
// the store's clock. Each such target's state is then read again (Version)
// by the step that settles it.
func (r *run) awaitCalls(ctx context.Context) error {
	var until int64
	r.mu.Lock()
	for _, t := range r.st.targets {
		until = max(until, t.until)
	}
	r.mu.Unlock()
	if until == 0 {
		return nil
	}
	for waited := false; ; waited = true {
		now, err := r.now(ctx)
		if err != nil {
			return err
		}
		left := time.Unix(0, until).Sub(now)
		if left <= 0 {
			return nil
		}
		if !waited {
			r.event(Event{Kind: "wait", Wave: r.cur, Elapsed: left})
		}
		if err := sleep(ctx, left); err != nil {
			return err
		}
	}
}
