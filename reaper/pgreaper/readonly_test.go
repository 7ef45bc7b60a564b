package pgreaper_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/reaper/pgreaper"
	"github.com/jackc/pgx/v5"
)

// tables counts the tables of the test's schema.
func tables(t *testing.T, adm *pgx.Conn) int {
	t.Helper()
	var n int
	if err := adm.QueryRow(context.Background(), "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReadOnlyCreatesNothing: ReadOnly reads a ledger Open wrote, on the
// database's clock, and in a database that holds none it says so (a nil
// blob) without creating a table; it never stores, and refuses a schema
// newer than this build's as Open does.
func TestReadOnlyCreatesNothing(t *testing.T) {
	pool, adm := database(t)
	ctx := context.Background()
	ro, err := pgreaper.ReadOnly(ctx, pool, "servos")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := ro.Load(ctx); b != nil || err != nil {
		t.Fatalf("no tables: Load = %q %v, want nothing", b, err)
	}
	if err := ro.Store(ctx, []byte("x")); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Store through ReadOnly: %v, want refused", err)
	}
	if n := tables(t, adm); n != 0 {
		t.Fatalf("ReadOnly created %d tables", n)
	}
	clock, ok := ro.(interface {
		Now(context.Context) (time.Time, error)
	})
	if !ok {
		t.Fatal("the read-only ledger keeps no time")
	}
	var before time.Time
	adm.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&before)
	if now, err := clock.Now(ctx); err != nil || now.Before(before) {
		t.Fatalf("Now = %v %v, want the server's clock after %v", now, err, before)
	}

	led, _, err := pgreaper.Open(ctx, pool, "servos")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := ro.Load(ctx); b != nil || err != nil {
		t.Fatalf("tables, no row: Load = %q %v, want nothing", b, err)
	}
	if err := led.Store(ctx, []byte("the ledger")); err != nil {
		t.Fatal(err)
	}
	if b, err := ro.Load(ctx); !bytes.Equal(b, []byte("the ledger")) || err != nil {
		t.Fatalf("Load = %q %v, want what Open's ledger stored", b, err)
	}
	other, err := pgreaper.ReadOnly(ctx, pool, "volumes")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := other.Load(ctx); b != nil || err != nil {
		t.Fatalf("another name: Load = %q %v, want nothing", b, err)
	}

	if _, err := adm.Exec(ctx, "UPDATE reaper_schema SET version = 99"); err != nil {
		t.Fatal(err)
	}
	if _, err := pgreaper.ReadOnly(ctx, pool, "servos"); err == nil || !strings.Contains(err.Error(), "schema version 99, newer than this build's") {
		t.Fatalf("newer schema: %v", err)
	}
	if _, err := pgreaper.ReadOnly(ctx, nil, "servos"); err == nil {
		t.Fatal("nil pool accepted")
	}
	if _, err := pgreaper.ReadOnly(ctx, pool, ""); err == nil {
		t.Fatal("empty name accepted")
	}
}
