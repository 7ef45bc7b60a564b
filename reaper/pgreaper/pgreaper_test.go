package pgreaper_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/reaper"
	"github.com/deploysafe/deploysafe/reaper/pgreaper"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func pgreaperOpen(pool *pgxpool.Pool, name string) (reaper.Ledger, reaper.Lease, error) {
	return pgreaper.Open(context.Background(), pool, name)
}

func TestOpenCreatesSchemaAndRefusesANewerOne(t *testing.T) {
	pool, adm := database(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ { // idempotent
		if _, _, err := pgreaper.Open(ctx, pool, "servos"); err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
	}
	var versions int
	if err := adm.QueryRow(ctx, "SELECT count(*) FROM reaper_schema WHERE version = 1").Scan(&versions); err != nil || versions != 1 {
		t.Fatalf("schema version rows: %d %v", versions, err)
	}
	if _, err := adm.Exec(ctx, "UPDATE reaper_schema SET version = 2"); err != nil {
		t.Fatal(err)
	}
	_, _, err := pgreaper.Open(ctx, pool, "servos")
	if err == nil || !strings.Contains(err.Error(), "schema version 2, newer than this build's 1") {
		t.Fatalf("newer schema: %v", err)
	}
	for _, bad := range []func() error{
		func() error { _, _, err := pgreaper.Open(ctx, nil, "x"); return err },
		func() error { _, _, err := pgreaper.Open(ctx, pool, ""); return err },
	} {
		if err := bad(); err == nil {
			t.Fatal("bad input accepted")
		}
	}
}

func TestLedgerRoundTripOnTheDatabaseClock(t *testing.T) {
	pool, adm := database(t)
	ctx := context.Background()
	led, _, err := pgreaper.Open(ctx, pool, "servos")
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := pgreaper.Open(ctx, pool, "volumes")
	if b, err := led.Load(ctx); b != nil || err != nil {
		t.Fatalf("fresh: %q %v", b, err)
	}
	for _, blob := range [][]byte{[]byte("one"), []byte("two, longer")} {
		if err := led.Store(ctx, blob); err != nil {
			t.Fatal(err)
		}
		if got, err := led.Load(ctx); err != nil || !bytes.Equal(got, blob) {
			t.Fatalf("load: %q %v, want %q", got, err, blob)
		}
	}
	if b, _ := other.Load(ctx); b != nil {
		t.Fatalf("another reaper's name sees %q", b)
	}
	clock, ok := led.(interface {
		Now(context.Context) (time.Time, error)
	})
	if !ok {
		t.Fatal("the ledger keeps no time")
	}
	var before, after time.Time
	adm.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&before)
	got, err := clock.Now(ctx)
	adm.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&after)
	if err != nil || got.Before(before) || got.After(after) {
		t.Fatalf("Now = %v %v, want between the server's %v and %v", got, err, before, after)
	}
}

func TestOnlyOneHolder(t *testing.T) {
	pool, _ := database(t)
	ctx := context.Background()
	_, a, _ := pgreaper.Open(ctx, pool, "servos")
	_, b, _ := pgreaper.Open(ctx, pool, "servos")
	_, c, _ := pgreaper.Open(ctx, pool, "volumes")
	if err := a.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Check(ctx); err != nil {
		t.Fatalf("holder's check: %v", err)
	}
	if err := a.Acquire(ctx); !errors.Is(err, reaper.ErrLeaseHeld) {
		t.Fatalf("acquire twice: %v, want ErrLeaseHeld", err)
	}
	if err := b.Acquire(ctx); !errors.Is(err, reaper.ErrLeaseHeld) {
		t.Fatalf("second replica: %v, want ErrLeaseHeld", err)
	}
	if err := c.Acquire(ctx); err != nil {
		t.Fatalf("another reaper's lease: %v", err)
	}
	c.Release(ctx)
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Check(ctx); err == nil {
		t.Fatal("check after release succeeded")
	}
	if err := a.Release(ctx); err != nil {
		t.Fatalf("second release: %v", err)
	}
	if err := b.Acquire(ctx); err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	b.Release(ctx)
}

// The lease's death fences the ledger: a replica that lost its lock cannot
// write over the state of the replica that took over.
func TestLostLeaseFencesTheLedger(t *testing.T) {
	pool, adm := database(t)
	ctx := context.Background()
	led, l, _ := pgreaper.Open(ctx, pool, "servos")
	since := time.Now().Add(-time.Second)
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	defer l.Release(ctx)
	if err := led.Store(ctx, []byte("held")); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.Exec(ctx, "SELECT pg_terminate_backend($1)", holderPID(t, adm, pool, since)); err != nil {
		t.Fatal(err)
	}
	if err := l.Check(ctx); err == nil {
		t.Fatal("check passed on a dead connection")
	}
	if err := led.Store(ctx, []byte("stale writer")); err == nil {
		t.Fatal("stored without the lock")
	}
	_, other, _ := pgreaper.Open(ctx, pool, "servos")
	deadline := time.Now().Add(5 * time.Second)
	for other.Acquire(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("lock not freed after the holder died")
		}
		time.Sleep(20 * time.Millisecond)
	}
	other.Release(ctx)
	l.Release(ctx) // the dead connection is dropped; the ledger reads through the pool again
	if got, err := led.Load(ctx); string(got) != "held" {
		t.Fatalf("ledger = %q %v", got, err)
	}
}

func TestUnreachableNamesTheHostNeverThePassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, "postgres://reaper:hunter2-secret@127.0.0.1:1/db?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	_, _, err = pgreaper.Open(ctx, pool, "servos")
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v: want the host, never the password", err)
	}
}

// A statement that exceeds the pool's statement_timeout fails the sweep
// before any action.
func TestStatementTimeoutTakesNoAction(t *testing.T) {
	pool, adm := database(t, "statement_timeout", "200ms")
	ctx := context.Background()
	i, o := fleet()
	d := &dep{}
	r := replica(t, pool, "servos", d, o, i)
	if _, err := r.Sweep(ctx); err != nil { // quarantines r000
		t.Fatal(err)
	}
	d.calls = nil
	tx, err := adm.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE reaper_ledger IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	_, err = r.Sweep(ctx)
	if !errors.Is(err, reaper.ErrLedger) || !strings.Contains(err.Error(), "statement timeout") {
		t.Fatalf("err = %v, want ErrLedger from the statement timeout", err)
	}
	if len(d.calls) != 0 {
		t.Fatalf("acted: %v", d.calls)
	}
}

func TestTwoReplicasOnlyOneActs(t *testing.T) {
	pool, _ := database(t)
	i, o := fleet()
	da, db := &dep{}, &dep{}
	entered, release := make(chan struct{}), make(chan struct{})
	da.hook = func() { close(entered); <-release }
	a := replica(t, pool, "servos", da, o, i)
	b := replica(t, pool, "servos", db, o, i)
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
	pool, adm := database(t)
	i, _ := fleet()
	since := time.Now().Add(-time.Second)
	killed := false
	kill := reaper.ObserverFunc("killer", "killer", func(_ context.Context, r reaper.Resource) (reaper.Vote, error) {
		if r.ID == "r000" && !killed { // mid-sweep, the lock's connection dies
			killed = true
			adm.Exec(context.Background(), "SELECT pg_terminate_backend($1)", holderPID(t, adm, pool, since))
		}
		return reaper.Vote{Verdict: reaper.Orphan, Evidence: "no owner"}, nil
	})
	o := []reaper.Observer{reaper.ObserverFunc("a", "a", vote("r000")), kill}
	d := &dep{}
	r := replica(t, pool, "servos", d, o, i)
	_, err := r.Sweep(context.Background())
	if !errors.Is(err, reaper.ErrLedger) && !errors.Is(err, reaper.ErrLeaseLost) {
		t.Fatalf("err = %v, want the lease lost before acting", err)
	}
	if len(d.calls) != 0 {
		t.Fatalf("acted after losing the lease: %v", d.calls)
	}
}

// A 10,000-character reaper name is quoted clipped, in every error.
func TestErrorsClipTheName(t *testing.T) {
	pool, _ := database(t)
	ctx := context.Background()
	long := strings.Repeat("n", 10000)
	led, a, err := pgreaper.Open(ctx, pool, long)
	if err != nil {
		t.Fatal(err)
	}
	_, b, _ := pgreaper.Open(ctx, pool, long)
	if err := a.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	defer a.Release(ctx)
	short := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		if msg := err.Error(); len(msg) > 400 || !strings.Contains(msg, strings.Repeat("n", 64)+"…(10000 bytes)") {
			t.Fatalf("%s: %d-byte error, want the name clipped:\n%.300s", what, len(msg), msg)
		}
	}
	short("acquire twice", a.Acquire(ctx))
	short("second replica", b.Acquire(ctx))
	if err := led.Store(ctx, []byte("blob")); err != nil {
		t.Fatalf("store under the long name: %v", err)
	}
}

// TestHolder: Holder names the session holding a reaper's lease, and only
// that reaper's: nobody before Acquire, the lock's backend while held,
// nobody after Release.
func TestHolder(t *testing.T) {
	pool, adm := database(t, "application_name", "holder-test")
	ctx := context.Background()
	_, lease, err := pgreaper.Open(ctx, pool, "servos")
	if err != nil {
		t.Fatal(err)
	}
	if h, err := pgreaper.Holder(ctx, pool, "servos"); h != "" || err != nil {
		t.Fatalf("before Acquire: %q %v, want nobody", h, err)
	}
	since := time.Now().Add(-time.Minute)
	if err := lease.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	pid := holderPID(t, adm, pool, since)
	h, err := pgreaper.Holder(ctx, pool, "servos")
	if err != nil || !strings.HasPrefix(h, fmt.Sprintf("pid %d (application holder-test, client ", pid)) || !strings.Contains(h, ", connected ") {
		t.Fatalf("while held: %q %v, want pid %d", h, err, pid)
	}
	if h, err := pgreaper.Holder(ctx, pool, "volumes"); h != "" || err != nil {
		t.Fatalf("another reaper's name: %q %v, want nobody", h, err)
	}
	if err := lease.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if h, err := pgreaper.Holder(ctx, pool, "servos"); h != "" || err != nil {
		t.Fatalf("after Release: %q %v, want nobody", h, err)
	}
	if _, err := pgreaper.Holder(ctx, pool, ""); err == nil {
		t.Fatal("an empty name was accepted")
	}
}
