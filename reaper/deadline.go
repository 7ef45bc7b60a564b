package reaper

import (
	"context"
	"sync"
	"time"
)

// callCtx is the context one observation worker hands to consecutive
// Observe calls. Each call re-arms one reusable timer instead of building a
// context.WithTimeout (two allocations, a timer and a registration with the
// parent per call: most of a sweep's cost on a large fleet). An observer
// must not keep the context after Observe returns; contexts it derives
// from it work as usual.
type callCtx struct {
	context.Context // the worker's context: Value and parent deadline
	timeout         time.Duration
	timer           *time.Timer
	stopParent      func() bool

	mu       sync.Mutex
	deadline time.Time
	done     chan struct{}
	err      error
}

func newCallCtx(parent context.Context, timeout time.Duration) *callCtx {
	c := &callCtx{Context: parent, timeout: timeout, done: make(chan struct{})}
	c.timer = time.AfterFunc(time.Hour, c.expire)
	c.timer.Stop()
	c.stopParent = context.AfterFunc(parent, func() { c.fail(context.Cause(parent)) })
	return c
}

// expire is the timer callback. A late fire for an earlier call (the timer
// ran while the next call was being armed) is recognised by its deadline
// and ignored.
func (c *callCtx) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && !time.Now().Before(c.deadline) {
		c.err = context.DeadlineExceeded
		close(c.done)
	}
}

func (c *callCtx) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.done)
	}
}

// arm starts a call: a fresh deadline, and a fresh Done channel if the last
// one was closed by a timeout.
func (c *callCtx) arm() {
	c.mu.Lock()
	if c.err == context.DeadlineExceeded && c.Context.Err() == nil {
		c.err, c.done = nil, make(chan struct{})
	}
	c.deadline = time.Now().Add(c.timeout)
	c.mu.Unlock()
	c.timer.Reset(c.timeout)
}

// disarm ends a call and reports whether it ran out of time (or the parent
// was cancelled).
func (c *callCtx) disarm() error {
	c.timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// close releases the timer and the parent registration.
func (c *callCtx) close() {
	c.timer.Stop()
	c.stopParent()
}

// Deadline is the current call's deadline (or the parent's, if earlier).
func (c *callCtx) Deadline() (time.Time, bool) {
	c.mu.Lock()
	d := c.deadline
	c.mu.Unlock()
	if pd, ok := c.Context.Deadline(); ok && pd.Before(d) {
		return pd, true
	}
	return d, true
}

// Done is closed when the current call times out or the parent is done.
func (c *callCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}

// Err says why Done was closed.
func (c *callCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}
