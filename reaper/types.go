package reaper

import (
	"context"
	"fmt"
	"time"
)

// Resource is one thing the inventory lists: a server, a volume, a bucket.
// Attrs carries what observers and strata read (kind, region, host
// generation, owner tags). The reaper never mutates Attrs.
type Resource struct {
	ID    string
	Attrs map[string]string
}

// Snapshot is one listing of the inventory. AsOf is when the listing was
// true; a zero AsOf counts as stale (the breaker halts).
type Snapshot struct {
	Resources []Resource
	AsOf      time.Time
}

// Inventory lists every resource the reaper may consider.
type Inventory interface {
	List(ctx context.Context) (Snapshot, error)
}

// Verdict is an observer's opinion of one resource, or the reaper's
// conclusion from all of them. The zero Verdict is Unknown.
type Verdict uint8

const (
	// Unknown: no opinion. Errors, timeouts, panics, missing or unparsable
	// data all become Unknown; Unknown never moves a resource toward action.
	Unknown Verdict = iota
	// Alive: something owns or uses the resource. One Alive vetoes action.
	Alive
	// Orphan: the observer has evidence nothing owns the resource.
	Orphan
)

// String returns "unknown", "alive" or "orphan".
func (v Verdict) String() string {
	switch v {
	case Unknown:
		return "unknown"
	case Alive:
		return "alive"
	case Orphan:
		return "orphan"
	}
	return fmt.Sprintf("verdict(%d)", uint8(v))
}

// Vote is what an observer returns for one resource. Evidence says why, in
// words an operator can check ("project p-42 deleted 2015-07-01"). An Orphan
// vote with empty Evidence is counted as Unknown: a claim that a resource
// may be destroyed must say why.
type Vote struct {
	Verdict  Verdict
	Evidence string
}

// Observer gives one opinion per resource. Name identifies it in the audit
// log (unique per reaper); Source names the data it reads ("hostdb",
// "billing"): the quorum counts distinct sources, so two observers reading
// the same table are one witness, not two.
//
// Observe is called concurrently for different resources. Shared look-ups
// should go through [Lookup] so that concurrent and repeated calls within a
// sweep are made once. Return an error (or an Unknown vote) whenever the
// data is missing, late, or in a shape you do not recognise.
type Observer interface {
	Name() string
	Source() string
	Observe(ctx context.Context, r Resource) (Vote, error)
}

// Precondition travels with every action so the deprovisioner can refuse
// when the world changed since the reaper judged the resource.
type Precondition struct {
	// Key is the idempotency key of this action: a retry after a crash
	// carries the same Key and must not act twice.
	Key string
	// Attrs are the attribute values the reaper judged. If the live
	// resource differs, return an error wrapping ErrPrecondition.
	Attrs map[string]string
	// JudgedAt is when the live re-check confirmed the verdict.
	JudgedAt time.Time
}

// Check returns an error wrapping ErrPrecondition if current differs from
// the judged attributes in any key. Deprovisioners call it with the live
// attributes they just read.
func (p Precondition) Check(current map[string]string) error {
	for k, v := range p.Attrs {
		if cv, ok := current[k]; !ok || cv != v {
			return fmt.Errorf("reaper: attribute %q is %q, judged %q: %w", k, cv, v, ErrPrecondition)
		}
	}
	for k := range current {
		if _, ok := p.Attrs[k]; !ok {
			return fmt.Errorf("reaper: attribute %q appeared after judgement: %w", k, ErrPrecondition)
		}
	}
	return nil
}

// Deprovisioner carries out the reaper's decisions. Quarantine must be
// reversible (stop, detach, revoke); Restore undoes it; Delete is final.
// Each call must be idempotent by pre.Key and must return an error
// wrapping ErrPrecondition, without acting, when pre no longer holds.
type Deprovisioner interface {
	Quarantine(ctx context.Context, r Resource, pre Precondition) error
	Restore(ctx context.Context, r Resource, pre Precondition) error
	Delete(ctx context.Context, r Resource, pre Precondition) error
}

// Action is what the reaper did, or would have done in shadow mode.
type Action string

// The actions, in the order a resource goes through them.
const (
	ActQuarantine Action = "quarantine"
	ActRestore    Action = "restore"
	ActDelete     Action = "delete"
)
