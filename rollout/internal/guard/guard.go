// Package guard is the only path from the rollout executor to the user's
// deployer: every call is checked against the plan's allowlist first.
//
// A [Sealed] deployer has no methods that reach the deployer; the only way to
// use it is [Sealed.Bind], which returns a [Guard] for one plan. The executor
// stores only Sealed and Guard values, so no code path can call the deployer
// for a target outside the plan.
package guard

import (
	"context"
	"errors"
	"fmt"
)

// ErrOffPlan reports a call for a target (or version) that the plan does not
// allow. No deployer method was called.
var ErrOffPlan = errors.New("rollout: target not in plan")

// Deployer is the method set the guard forwards to (rollout.Deployer).
type Deployer interface {
	Deploy(ctx context.Context, target, version string) error
	Rollback(ctx context.Context, target string) error
	Version(ctx context.Context, target string) (string, error)
}

// Sealed holds a deployer that cannot be called until it is bound to a plan.
// The zero value is not usable: Bind panics.
type Sealed struct{ d Deployer }

// Seal wraps d. It returns an error when d is nil.
func Seal(d Deployer) (Sealed, error) {
	if d == nil {
		return Sealed{}, errors.New("rollout: nil Deployer")
	}
	return Sealed{d: d}, nil
}

// Bind returns a guard that forwards calls only for the targets in allowed and
// deploys only version.
func (s Sealed) Bind(version string, allowed map[string]struct{}) *Guard {
	if s.d == nil {
		panic("rollout: guard: Bind on a zero Sealed")
	}
	return &Guard{d: s.d, version: version, allowed: allowed}
}

// Guard forwards calls for allowed targets to the deployer and refuses others
// with an error wrapping ErrOffPlan.
type Guard struct {
	d       Deployer
	version string
	allowed map[string]struct{}
}

// OffPlanError is the detail of a refused call.
type OffPlanError struct {
	Op      string // "deploy", "rollback" or "version"
	Target  string
	Version string // set when the refused part is the version
}

// Error names the refused operation and target.
func (e *OffPlanError) Error() string {
	if e.Version != "" {
		return fmt.Sprintf("rollout: refused %s of version %q to %q: the plan deploys another version", e.Op, e.Version, e.Target)
	}
	return fmt.Sprintf("rollout: refused %s for %q: target not in plan", e.Op, e.Target)
}

// Unwrap returns ErrOffPlan.
func (e *OffPlanError) Unwrap() error { return ErrOffPlan }

func (g *Guard) check(op, target string) error {
	if _, ok := g.allowed[target]; !ok {
		return &OffPlanError{Op: op, Target: target}
	}
	return nil
}

// Deploy forwards to the deployer when target is allowed and version is the plan's.
func (g *Guard) Deploy(ctx context.Context, target, version string) error {
	if err := g.check("deploy", target); err != nil {
		return err
	}
	if version != g.version {
		return &OffPlanError{Op: "deploy", Target: target, Version: version}
	}
	return g.d.Deploy(ctx, target, version)
}

// Rollback forwards to the deployer when target is allowed.
func (g *Guard) Rollback(ctx context.Context, target string) error {
	if err := g.check("rollback", target); err != nil {
		return err
	}
	return g.d.Rollback(ctx, target)
}

// Version forwards to the deployer when target is allowed.
func (g *Guard) Version(ctx context.Context, target string) (string, error) {
	if err := g.check("version", target); err != nil {
		return "", err
	}
	return g.d.Version(ctx, target)
}
