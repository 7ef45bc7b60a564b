package reaper

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

var t0 = time.Date(2015, 7, 22, 0, 0, 0, 0, time.UTC)

// fakeClock advances only when told to, or when the reaper sleeps.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept time.Duration
}

func newClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.slept += d
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fleet is an inventory whose resources tests edit between sweeps.
type fleet struct {
	mu    sync.Mutex
	res   []Resource
	clock *fakeClock
	err   error
	stale time.Duration
}

func (f *fleet) List(ctx context.Context) (Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return Snapshot{}, f.err
	}
	return Snapshot{Resources: append([]Resource(nil), f.res...), AsOf: f.clock.Now().Add(-f.stale)}, nil
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
	case ActQuarantine:
		if k, ok := d.quarantined[r.ID]; ok && k != pre.Key {
			d.violations = append(d.violations, fmt.Sprintf("double quarantine of %s (%s then %s)", r.ID, k, pre.Key))
		}
		if _, ok := d.deleted[r.ID]; ok {
			d.violations = append(d.violations, "quarantine of deleted "+r.ID)
		}
		d.quarantined[r.ID] = pre.Key
	case ActRestore:
		delete(d.quarantined, r.ID)
	case ActDelete:
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
	return d.do(ActQuarantine, r, pre)
}
func (d *fakeDep) Restore(_ context.Context, r Resource, pre Precondition) error {
	return d.do(ActRestore, r, pre)
}
func (d *fakeDep) Delete(_ context.Context, r Resource, pre Precondition) error {
	return d.do(ActDelete, r, pre)
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

// fast are options that make tests quick: no rate delay, fake clock,
// memory audit, everything vetted.
func fast(c *fakeClock, sink *MemorySink) []Option {
	return []Option{WithClock(c), WithAudit(sink), WithRate(rate.Inf, 0), WithShadowSweeps(0)}
}

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
