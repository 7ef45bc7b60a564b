package rollout

import (
	"context"
	"time"
)

// graceFor is how long a call may take to return after its deadline.
func graceFor(d time.Duration) time.Duration {
	return min(max(d/10, time.Millisecond), time.Second)
}

// bounded is how a bounded call ended: fn's error, or timedOut (and
// abandoned when fn did not return within the grace either), or
// interrupted with the parent context's error; running when fn had not
// returned by then (abandoned, or interrupted past the grace).
type bounded struct {
	err                                       error
	timedOut, abandoned, interrupted, running bool
}

// callBounded runs fn under a deadline in a goroutine it can abandon.
// Every gate, probe and deployer call goes through it.
func callBounded(ctx context.Context, d time.Duration, fn func(context.Context) error) bounded {
	return callUntil(ctx, time.Now().Add(d), d, fn)
}

// callUntil is callBounded with the deadline given; d is the deadline's
// duration, which sets the grace.
func callUntil(ctx context.Context, deadline time.Time, d time.Duration, fn func(context.Context) error) bounded {
	if ctx.Err() != nil {
		return bounded{err: context.Cause(ctx), interrupted: true}
	}
	cctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	done := make(chan error, 1) // buffered: an abandoned fn never blocks on send
	go func() { done <- fn(cctx) }()
	select {
	case err := <-done:
		if err != nil && ctx.Err() != nil {
			return bounded{err: context.Cause(ctx), interrupted: true}
		}
		return bounded{err: err, timedOut: err != nil && cctx.Err() == context.DeadlineExceeded}
	case <-cctx.Done():
	}
	t := time.NewTimer(graceFor(d))
	defer t.Stop()
	if ctx.Err() != nil { // interrupted: give fn its grace to return, so a
		// deployer call does not outlive the Run that made it
		select {
		case <-done:
			return bounded{err: context.Cause(ctx), interrupted: true}
		case <-t.C:
			return bounded{err: context.Cause(ctx), interrupted: true, running: true}
		}
	}
	select {
	case err := <-done:
		if err == nil {
			err = context.DeadlineExceeded
		}
		return bounded{err: err, timedOut: true}
	case <-t.C:
		return bounded{timedOut: true, abandoned: true, running: true}
	}
}
