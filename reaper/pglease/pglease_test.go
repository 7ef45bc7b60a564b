package pglease_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/internal/testenv"
	"github.com/deploysafe/deploysafe/reaper"
	"github.com/deploysafe/deploysafe/reaper/pglease"
	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// admin opens a plain connection for inspecting and killing sessions.
func admin(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// holderPID finds the backend holding advisory lock key.
func holderPID(t *testing.T, c *pgx.Conn, key int64) int {
	t.Helper()
	var pid int
	err := c.QueryRow(context.Background(), `SELECT pid FROM pg_locks WHERE locktype='advisory' AND granted AND objsubid=1
		AND ((classid::bigint << 32) | objid::bigint) = $1`, key).Scan(&pid)
	if err != nil {
		t.Fatalf("no holder of %d: %v", key, err)
	}
	return pid
}

// Every test uses its own random key: other packages share the server.
func key() int64 { return rand.Int64() - (1 << 62) }

func TestOnlyOneHolder(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	ctx := context.Background()
	k := key()
	a, _ := pglease.New(dsn, k)
	b, _ := pglease.New(dsn, k)
	if err := a.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	ha := a
	if err := ha.Check(ctx); err != nil {
		t.Fatalf("holder's check: %v", err)
	}
	if err := b.Acquire(ctx); !errors.Is(err, reaper.ErrLeaseHeld) {
		t.Fatalf("second acquire: %v, want ErrLeaseHeld", err)
	}
	if err := ha.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ha.Check(ctx); err == nil {
		t.Fatal("check after release succeeded")
	}
	if err := b.Acquire(ctx); err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	b.Release(ctx)
}

func TestLeaseLostWhenConnectionDies(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	ctx := context.Background()
	k := key()
	l, _ := pglease.New(dsn, k)
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	h := l
	defer h.Release(ctx)
	adm := admin(t, dsn)
	if _, err := adm.Exec(ctx, "SELECT pg_terminate_backend($1)", holderPID(t, adm, k)); err != nil {
		t.Fatal(err)
	}
	if err := h.Check(ctx); err == nil {
		t.Fatal("check passed on a dead connection")
	}
	other, _ := pglease.New(dsn, k)
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := other.Acquire(ctx)
		if err == nil {
			other.Release(ctx)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock not freed after the holder died: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNewRejectsBadDSN(t *testing.T) {
	if _, err := pglease.New("", 1); err == nil {
		t.Fatal("empty DSN accepted")
	}
	if _, err := pglease.New("postgres://%zz", 1); err == nil {
		t.Fatal("bad DSN accepted")
	}
	if ka, kb, ka2 := pglease.Key("a"), pglease.Key("b"), pglease.Key("a"); ka == kb || ka != ka2 {
		t.Fatal("Key is not a stable hash")
	}
}

// --- two reaper replicas ---

type inv struct{ rs []reaper.Resource }

func (i inv) List(context.Context) (reaper.Listing, error) {
	return reaper.Listing{Resources: i.rs, AsOf: time.Now()}, nil
}

type obs struct {
	name string
	fn   func(reaper.Resource) reaper.Vote
}

func (o obs) Name() string   { return o.name }
func (o obs) Source() string { return o.name }
func (o obs) Observe(_ context.Context, r reaper.Resource) (reaper.Vote, error) {
	return o.fn(r), nil
}

type dep struct {
	mu    sync.Mutex
	calls []string
	hook  func()
}

func (d *dep) rec(act string, r reaper.Resource) error {
	if d.hook != nil {
		d.hook()
	}
	d.mu.Lock()
	d.calls = append(d.calls, act+" "+r.ID)
	d.mu.Unlock()
	return nil
}
func (d *dep) Quarantine(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	return d.rec("quarantine", r)
}
func (d *dep) Restore(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	return d.rec("restore", r)
}
func (d *dep) Delete(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	return d.rec("delete", r)
}

func fleet() (inv, []reaper.Observer) {
	var rs []reaper.Resource
	for i := 0; i < 200; i++ {
		rs = append(rs, reaper.Resource{ID: "r" + string(rune('A'+i%26)) + string(rune('a'+i/26))})
	}
	orphan := func(r reaper.Resource) reaper.Vote {
		if r.ID == "rAa" {
			return reaper.Vote{Verdict: reaper.Orphan, Evidence: "no owner"}
		}
		return reaper.Vote{Verdict: reaper.Alive, Evidence: "owned"}
	}
	return inv{rs}, []reaper.Observer{obs{"a", orphan}, obs{"b", orphan}}
}

func replica(t *testing.T, dsn string, k int64, led reaper.Ledger, d *dep, o []reaper.Observer, i inv) *reaper.Reaper {
	t.Helper()
	l, err := pglease.New(dsn, k)
	if err != nil {
		t.Fatal(err)
	}
	lim := reaper.DefaultLimits()
	lim.Rate = rate.Inf
	r, err := reaper.New(i, o, d, led, reaper.Elect(l), reaper.Act(reaper.Quarantine, 0),
		reaper.Grace(1, 0), reaper.Limit(lim))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTwoReplicasOnlyOneActs(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	k := key()
	led := reaper.MemoryLedger() // shared storage
	i, o := fleet()
	da, db := &dep{}, &dep{}
	entered, release := make(chan struct{}), make(chan struct{})
	da.hook = func() { close(entered); <-release }
	a := replica(t, dsn, k, led, da, o, i)
	b := replica(t, dsn, k, led, db, o, i)
	var wg sync.WaitGroup
	var errA error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, errA = a.Sweep(context.Background())
	}()
	<-entered // A holds the lease and is mid-action
	_, errB := b.Sweep(context.Background())
	close(release)
	wg.Wait()
	if errA != nil {
		t.Fatalf("replica A: %v", errA)
	}
	if !errors.Is(errB, reaper.ErrLeaseHeld) {
		t.Fatalf("replica B: %v, want ErrLeaseHeld", errB)
	}
	if len(da.calls) != 1 || len(db.calls) != 0 {
		t.Fatalf("A acted %v, B acted %v", da.calls, db.calls)
	}
	// B takes over once A is done, from the shared ledger: nothing repeated.
	if _, err := b.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(db.calls) != 0 {
		t.Fatalf("B repeated A's action: %v", db.calls)
	}
}

func TestReplicaStopsWhenLeaseLost(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	k := key()
	i, o := fleet()
	adm := admin(t, dsn)
	killed := false
	kill := obs{"killer", func(r reaper.Resource) reaper.Vote {
		if r.ID == "rAa" && !killed { // mid-sweep, the lock's connection dies
			killed = true
			adm.Exec(context.Background(), "SELECT pg_terminate_backend($1)", holderPID(t, adm, k))
		}
		return reaper.Vote{Verdict: reaper.Unknown}
	}}
	d := &dep{}
	r := replica(t, dsn, k, reaper.MemoryLedger(), d, append(o, kill), i)
	_, err := r.Sweep(context.Background())
	if !errors.Is(err, reaper.ErrLeaseLost) {
		t.Fatalf("err = %v, want ErrLeaseLost", err)
	}
	if len(d.calls) != 0 {
		t.Fatalf("acted after losing the lease: %v", d.calls)
	}
}
