package rollout

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// call runs one deployer call under the plan's CallDeadline. A call that
// ignores its context is abandoned after a short grace, like a gate.
func (r *run) call(ctx context.Context, op string, fn func(context.Context) error) error {
	return r.callUntil(ctx, op, "", time.Now().Add(r.p.callDeadline), fn)
}

// errRunning marks a call left running: it had not returned when the
// executor stopped waiting for it (see stillRunning).
var errRunning = errors.New("the call is still running")

// callUntil is call with the deadline an intent for target journalled
// (see intend). The call's context carries the lease's fencing token
// (FencingToken). It notes whether the call returned, for interrupted.
func (r *run) callUntil(ctx context.Context, op, target string, deadline time.Time, fn func(context.Context) error) error {
	if r.lease != nil {
		f := fn
		fn = func(c context.Context) error { return f(context.WithValue(c, tokenKey{}, r.token)) }
	}
	b := callUntil(ctx, deadline, r.p.callDeadline, fn)
	if target != "" {
		r.mu.Lock()
		r.over[target] = !b.running
		r.mu.Unlock()
	}
	switch {
	case b.interrupted:
		return &interruptError{err: b.err, running: b.running}
	case b.abandoned:
		return fmt.Errorf("%s did not return within its %v deadline; abandoned: %w", op, r.p.callDeadline, errRunning)
	case b.timedOut:
		return fmt.Errorf("%s did not return within its %v deadline: %w", op, r.p.callDeadline, b.err)
	}
	return b.err
}

// stillRunning reports whether err is that of a call the executor stopped
// waiting for before it returned: its effect may land later.
func stillRunning(err error) bool {
	var ie *interruptError
	return errors.Is(err, errRunning) || errors.As(err, &ie) && ie.running
}

// version asks the deployer which version t runs, within CallDeadline.
func (r *run) version(ctx context.Context, t string) (string, error) {
	res := make(chan string, 1) // buffered: an abandoned call never blocks
	err := r.call(ctx, "Version", func(c context.Context) error {
		v, err := r.dep.Version(c, t)
		res <- v
		return err
	})
	if err != nil {
		return "", err
	}
	return <-res, nil
}

// confirm waits until t reports want, asking again with backoff until the
// plan's settle time has passed; the last ask is at the settle deadline. It
// returns the last version found.
func (r *run) confirm(ctx context.Context, t, want string) (string, error) {
	deadline := time.Now().Add(r.p.settle)
	wait := 10 * time.Millisecond
	for {
		v, err := r.version(ctx, t)
		if err == nil && v == want {
			return v, nil
		}
		if ie := (*interruptError)(nil); errors.As(err, &ie) {
			return v, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			if err != nil {
				return v, err
			}
			return v, ErrConfirm
		}
		if err := sleep(ctx, min(wait, left)); err != nil {
			return v, err
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return &interruptError{err: context.Cause(ctx)}
	}
}
