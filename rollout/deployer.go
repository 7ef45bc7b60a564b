package rollout

import (
	"context"
	"errors"
)

// Deployer is implemented by the user: it changes and reports what runs on
// one target. The executor reaches it only through a guard that refuses any
// target not in the plan (ErrOffPlan). Calls for different targets may run
// concurrently (see Concurrency); each call is bounded by the plan's
// CallDeadline, and should stop changing its target when its context
// ends: a later holder of the journal's lease acts once that deadline has
// passed. Where the target system can check one, pass it the call's
// FencingToken.
//
// A Deployer that can list every target its deploy tool reaches also
// implements
//
//	Census(ctx context.Context, add func(target, version string)) error
//
// calling add once per target. The executor then takes a census before the
// first deploy, after every wave, after a rollback and at the end, and stops
// the rollout when a target outside the waves deployed so far changed
// version (OffPlanError with Op "census"). A census that fails, lists a
// target twice or lists none is Unknown: the rollout goes no further
// (ErrCensus).
type Deployer interface {
	// Deploy installs version on target.
	Deploy(ctx context.Context, target, version string) error
	// Rollback returns target to the version it ran before the last Deploy.
	Rollback(ctx context.Context, target string) error
	// Version reports the version target runs now. The executor uses it
	// to record the previous version, to confirm every deploy and rollback,
	// and to settle what an interrupted call did.
	Version(ctx context.Context, target string) (string, error)
}

// fleet is the optional census of a Deployer (see Deployer).
type fleet interface {
	Census(ctx context.Context, add func(target, version string)) error
}

// FromFuncs returns a Deployer made of three functions, for deploy tools
// driven by a few closures. None may be nil.
func FromFuncs(
	deploy func(ctx context.Context, target, version string) error,
	rollback func(ctx context.Context, target string) error,
	version func(ctx context.Context, target string) (string, error),
) (Deployer, error) {
	if deploy == nil || rollback == nil || version == nil {
		return nil, errors.Join(ErrInvalidPlan, errors.New("rollout: FromFuncs: deploy, rollback and version are all required"))
	}
	return funcs{deploy, rollback, version}, nil
}

type funcs struct {
	deploy   func(ctx context.Context, target, version string) error
	rollback func(ctx context.Context, target string) error
	version  func(ctx context.Context, target string) (string, error)
}

func (f funcs) Deploy(ctx context.Context, t, v string) error { return f.deploy(ctx, t, v) }
func (f funcs) Rollback(ctx context.Context, t string) error  { return f.rollback(ctx, t) }
func (f funcs) Version(ctx context.Context, t string) (string, error) {
	return f.version(ctx, t)
}
