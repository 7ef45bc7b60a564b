// Package guard is the only path from the rollout executor to the user's
// deployer: every call is checked against the plan's allowlist first.
//
// A [Sealed] deployer has no methods that reach the deployer; the only way to
// use it is [Sealed.Bind], which returns a [Guard] for one plan. The executor
// stores only Sealed and Guard values, so no code path can call the deployer
// for a target outside the plan.
//
// The one exception is a put-back: [Guard.PermitPutBack] lets the executor
// return one target that something else changed to the version recorded for
// it before the rollout, and nothing else.
package guard

import (
	"context"
	"errors"
	"sync"
)

// Deployer is the method set the guard forwards to (rollout.Deployer).
type Deployer interface {
	Deploy(ctx context.Context, target, version string) error
	Rollback(ctx context.Context, target string) error
	Version(ctx context.Context, target string) (string, error)
}

// Refuse builds the error for a refused call; version is set when the
// refused part is the version. The guard never calls the deployer then.
type Refuse func(op, target, version string) error

// Sealed holds a deployer that cannot be called until it is bound to a plan.
type Sealed struct{ d Deployer }

// Seal wraps d. It returns an error when d is nil.
func Seal(d Deployer) (Sealed, error) {
	if d == nil {
		return Sealed{}, errors.New("rollout: nil Deployer")
	}
	return Sealed{d: d}, nil
}

// Bind returns a guard that forwards calls only for the targets in allowed and
// deploys only version. refuse builds the error of a refused call.
func (s Sealed) Bind(version string, allowed map[string]struct{}, refuse Refuse) (*Guard, error) {
	if s.d == nil || refuse == nil {
		return nil, errors.New("rollout: guard: Bind on a zero Sealed or without Refuse")
	}
	return &Guard{d: s.d, version: version, allowed: allowed, refuse: refuse, putBack: map[string]string{}}, nil
}

// Guard forwards calls for allowed targets to the deployer and refuses others.
type Guard struct {
	d       Deployer
	version string
	allowed map[string]struct{}
	refuse  Refuse

	mu      sync.Mutex
	putBack map[string]string // off-plan target -> the only version it may get
}

// PermitPutBack allows Deploy(target, version) and Version(target): a
// rollback-only permission to restore the version a census (or the journal)
// recorded before the rollout, for a target outside the plan or in it.
func (g *Guard) PermitPutBack(target, version string) {
	g.mu.Lock()
	g.putBack[target] = version
	g.mu.Unlock()
}

func (g *Guard) putBackVersion(target string) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	v, ok := g.putBack[target]
	return v, ok
}

// Deploy forwards to the deployer when target is allowed and version is the
// plan's, or when it is a permitted put-back of exactly that version (for a
// target in the plan or outside it).
func (g *Guard) Deploy(ctx context.Context, target, version string) error {
	if v, ok := g.putBackVersion(target); ok && version == v {
		return g.d.Deploy(ctx, target, version)
	}
	if _, ok := g.allowed[target]; ok {
		if version != g.version {
			return g.refuse("deploy", target, version)
		}
		return g.d.Deploy(ctx, target, version)
	}
	if _, ok := g.putBackVersion(target); ok {
		return g.refuse("deploy", target, version)
	}
	return g.refuse("deploy", target, "")
}

// Rollback forwards to the deployer when target is allowed.
func (g *Guard) Rollback(ctx context.Context, target string) error {
	if _, ok := g.allowed[target]; !ok {
		return g.refuse("rollback", target, "")
	}
	return g.d.Rollback(ctx, target)
}

// Version forwards to the deployer when target is allowed or being put back.
func (g *Guard) Version(ctx context.Context, target string) (string, error) {
	if _, ok := g.allowed[target]; !ok {
		if _, ok := g.putBackVersion(target); !ok {
			return "", g.refuse("version", target, "")
		}
	}
	return g.d.Version(ctx, target)
}
