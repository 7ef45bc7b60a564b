package rollout

import (
	"context"
	"time"
)

// Deployer is implemented by the user: it changes and reports what runs on
// one target. The executor reaches it only through a guard that refuses any
// target not in the plan (ErrOffPlan). Calls for different targets may run
// concurrently (see Concurrency).
type Deployer interface {
	// Deploy installs version on target.
	Deploy(ctx context.Context, target, version string) error
	// Rollback returns target to the version it ran before the last Deploy.
	Rollback(ctx context.Context, target string) error
	// Version reports the version target runs now. The executor uses it
	// to record the previous version, to confirm every rollback and to
	// settle what an interrupted call did.
	Version(ctx context.Context, target string) (string, error)
}

// Clock is the executor's time source for bake times. Gate deadlines always
// use real time, since a fake clock cannot stop a hung check.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx ends, returning ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
