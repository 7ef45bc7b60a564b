package reaper

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// t0 is the start of every synctest bubble's clock.
var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// fleet is an inventory whose resources tests edit between sweeps.
type fleet struct {
	mu    sync.Mutex
	res   []Resource
	err   error
	stale time.Duration
}

func (f *fleet) List(ctx context.Context) (Listing, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return Listing{}, f.err
	}
	return Listing{Resources: append([]Resource(nil), f.res...), AsOf: time.Now().Add(-f.stale)}, nil
}

func (f *fleet) remove(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.res {
		if r.ID == id {
			f.res = append(f.res[:i], f.res[i+1:]...)
			return
		}
	}
}

// obs is an Observer made of a function.
type obs struct {
	name, source string
	fn           func(ctx context.Context, r Resource) (Vote, error)
}

func (o obs) Name() string   { return o.name }
func (o obs) Source() string { return o.source }
func (o obs) Observe(ctx context.Context, r Resource) (Vote, error) {
	return o.fn(ctx, r)
}

// truthObs votes from a set of orphan IDs: Orphan for those, Alive otherwise.
func truthObs(name string, orphans map[string]bool) obs {
	return obs{name: name, source: name, fn: func(_ context.Context, r Resource) (Vote, error) {
		if orphans[r.ID] {
			return Vote{Orphan, name + ": no owner"}, nil
		}
		return Vote{Alive, name + ": owned"}, nil
	}}
}

type call struct {
	Act Action
	ID  string
	Key string
}

// fakeDep records calls and enforces the Deprovisioner contract:
// idempotent by key, delete only after quarantine.
type fakeDep struct {
	mu          sync.Mutex
	calls       []call
	quarantined map[string]string // id → key
	deleted     map[string]string
	violations  []string
	fail        func(act Action, id string) error // before acting
	onCall      func(act Action, r Resource)
}

func newDep() *fakeDep {
	return &fakeDep{quarantined: map[string]string{}, deleted: map[string]string{}}
}

func (d *fakeDep) do(act Action, r Resource, pre Precondition) error {
	if d.onCall != nil {
		d.onCall(act, r)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, call{act, r.ID, pre.Key})
	if pre.Key == "" {
		d.violations = append(d.violations, fmt.Sprintf("%s %s without key", act, r.ID))
	}
	if d.fail != nil {
		if err := d.fail(act, r.ID); err != nil {
			return err
		}
	}
	switch act {
	case Quarantine:
		if k, ok := d.quarantined[r.ID]; ok && k != pre.Key {
			d.violations = append(d.violations, fmt.Sprintf("double quarantine of %s (%s then %s)", r.ID, k, pre.Key))
		}
		if _, ok := d.deleted[r.ID]; ok {
			d.violations = append(d.violations, "quarantine of deleted "+r.ID)
		}
		d.quarantined[r.ID] = pre.Key
	case Restore:
		delete(d.quarantined, r.ID)
	case Delete:
		if k, ok := d.deleted[r.ID]; ok && k != pre.Key {
			d.violations = append(d.violations, fmt.Sprintf("double delete of %s", r.ID))
		} else if _, ok := d.quarantined[r.ID]; !ok && !ok2(d.deleted, r.ID) {
			d.violations = append(d.violations, "delete without quarantine of "+r.ID)
		}
		d.deleted[r.ID] = pre.Key
	}
	return nil
}

func ok2(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func (d *fakeDep) Quarantine(_ context.Context, r Resource, pre Precondition) error {
	return d.do(Quarantine, r, pre)
}
func (d *fakeDep) Restore(_ context.Context, r Resource, pre Precondition) error {
	return d.do(Restore, r, pre)
}
func (d *fakeDep) Delete(_ context.Context, r Resource, pre Precondition) error {
	return d.do(Delete, r, pre)
}

func (d *fakeDep) count(act Action) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, c := range d.calls {
		if c.Act == act {
			n++
		}
	}
	return n
}

// fast are options that make tests quick: no pacing, the audit in sink.
// Tests run in synctest bubbles, so the clock moves only with time.Sleep.
func fast(sink *memSink) []Option {
	return []Option{auditTo(sink), Limit(testLimits())}
}

// testLimits are the default limits without pacing between actions.
func testLimits() Limits {
	l := DefaultLimits()
	l.Rate = rate.Inf
	return l
}

// limits returns Limit(testLimits()) changed by edit.
func limits(edit func(*Limits)) Option {
	l := testLimits()
	edit(&l)
	return Limit(l)
}

// oneOrphanFleet is the fleet of the single-orphan tests: resource "o"
// among 100 others, l0…l99, which those tests' observers call alive.
func oneOrphanFleet() *fleet {
	inv := &fleet{res: []Resource{res("o")}}
	for i := 0; i < 100; i++ {
		inv.res = append(inv.res, res("l"+itoaT(i)))
	}
	return inv
}

func newMemLedger() *memoryLedger { return &memoryLedger{} }

// tb is what test helpers need: *testing.T, *testing.B and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

func mustNew(t tb, inv Inventory, o []Observer, d Deprovisioner, l Ledger, opts ...Option) *Reaper {
	t.Helper()
	r, err := New(inv, o, d, l, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func res(id string, kv ...string) Resource {
	a := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		a[kv[i]] = kv[i+1]
	}
	return Resource{ID: id, Attrs: a}
}
