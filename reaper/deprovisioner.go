package reaper

import (
	"context"
	"fmt"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// Action is what the reaper does to a resource, or would do in shadow
// mode. Given to [Act] it is also how far the reaper may go: Quarantine
// acts only reversibly, Delete quarantines and then deletes. The zero
// Action is none: the reaper runs in shadow mode.
type Action uint8

// The actions.
const (
	// Quarantine stops the resource reversibly (stop, detach, revoke).
	Quarantine Action = iota + 1
	// Delete destroys a resource that stayed quarantined and orphaned for
	// the quarantine window. It is final.
	Delete
	// Restore undoes a quarantine. The reaper restores whatever its mode.
	Restore
)

// String returns "quarantine", "delete", "restore", or "shadow" for the
// zero Action.
func (a Action) String() string {
	switch a {
	case 0:
		return "shadow"
	case Quarantine:
		return "quarantine"
	case Delete:
		return "delete"
	case Restore:
		return "restore"
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// Precondition travels with every action so the deprovisioner can refuse
// when the world changed since the reaper judged the resource.
type Precondition struct {
	// Key is the idempotency key of this action: a retry after a crash
	// carries the same Key and must not act twice.
	Key string
	// Attrs are the attribute values the reaper judged. If the live
	// resource differs, return an error wrapping ErrPrecondition: Check
	// compares them all, CheckKeys only those that must still match.
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
			return fmt.Errorf("reaper: attribute %q is %q, judged %q: %w", clip.String(k), clip.String(cv), clip.String(v), ErrPrecondition)
		}
	}
	for k := range current {
		if _, ok := p.Attrs[k]; !ok {
			return fmt.Errorf("reaper: attribute %q appeared after judgement: %w", clip.String(k), ErrPrecondition)
		}
	}
	return nil
}

// CheckKeys is Check limited to the attributes named by keys: it returns an
// error wrapping ErrPrecondition if any of them differs between the judged
// attributes and current, or is in one and not the other. Attributes that
// change in the normal course (a last-seen time, a counter) are left out
// by not naming them. Given no key it returns an error wrapping
// ErrPrecondition: a check of nothing cannot fail, so it never lets an
// action through.
func (p Precondition) CheckKeys(current map[string]string, keys ...string) error {
	if len(keys) == 0 {
		return fmt.Errorf("reaper: Precondition.CheckKeys: no attribute named: a check of nothing cannot fail: %w", ErrPrecondition)
	}
	for _, k := range keys {
		v, judged := p.Attrs[k]
		cv, now := current[k]
		if judged && !now {
			return fmt.Errorf("reaper: attribute %q was %q when judged and is gone: %w", clip.String(k), clip.String(v), ErrPrecondition)
		}
		if !judged && now {
			return fmt.Errorf("reaper: attribute %q appeared after judgement: %w", clip.String(k), ErrPrecondition)
		}
		if cv != v {
			return fmt.Errorf("reaper: attribute %q is %q, judged %q: %w", clip.String(k), clip.String(cv), clip.String(v), ErrPrecondition)
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

// DeleteOnly returns a Deprovisioner for resources that cannot be stopped
// reversibly: its Quarantine and Restore do nothing, and del deletes. The
// waiting is not weakened: the reaper still records the quarantine, waits
// the whole quarantine window with the resource judged orphaned in every
// sweep, re-checks it live, and only then calls del; an Alive vote in the
// window cancels the deletion.
func DeleteOnly(del func(ctx context.Context, r Resource, pre Precondition) error) Deprovisioner {
	return deleteOnly(del)
}

type deleteOnly func(context.Context, Resource, Precondition) error

func (deleteOnly) Quarantine(context.Context, Resource, Precondition) error { return nil }
func (deleteOnly) Restore(context.Context, Resource, Precondition) error    { return nil }
func (d deleteOnly) Delete(ctx context.Context, r Resource, pre Precondition) error {
	return d(ctx, r, pre)
}

func isNilDeleteOnly(d Deprovisioner) bool {
	f, ok := d.(deleteOnly)
	return ok && f == nil
}
