package sqlsource

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
)

// scratchTables counts the rehearsal tables left in db.
func scratchTables(t testing.TB, db *sql.DB, md mode) int {
	t.Helper()
	q := `SELECT count(*) FROM sqlite_schema WHERE name LIKE '%rehearsal%'`
	if md.name != "sqlite" {
		q = `SELECT count(*) FROM pg_class WHERE relname LIKE '%rehearsal%' AND relkind = 'r'`
	}
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRehearsal restores a snapshot into scratch tables of the same
// database, verifies every partition there and drops them, never touching
// the live table, whose damage stays as it is.
func TestRehearsal(t *testing.T) {
	ctx := context.Background()
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			db, s, table := ordersDB(t, md)
			store := storetest.NewMemStore()
			sel := []snapshot.Partition{{Table: table, Key: "1"}, {Table: table, Key: "2"}, {Table: table, Key: "3"}}
			m, err := snapshot.Take(ctx, s, store, sel)
			if err != nil {
				t.Fatal(err)
			}
			before := scratchTables(t, db, md)
			mustExec(t, db, "DELETE FROM "+table+" WHERE tenant = 2")
			live := dump(t, s, table, "1")
			rep, err := snapshot.Verify(ctx, store, m, snapshot.Rehearsal(s), snapshot.Parallelism(3))
			if err != nil || rep.Rehearsed != 3 || rep.Partitions != 3 || rep.Duration <= 0 {
				t.Fatalf("rehearsal = %+v, %v; want 3 partitions rehearsed", rep, err)
			}
			if n := scratchTables(t, db, md); n != before {
				t.Errorf("%d scratch tables left after the rehearsal, want %d", n, before)
			}
			if got := dump(t, s, table, "2"); len(got) != 0 {
				t.Errorf("the rehearsal wrote into the live table: tenant 2 has %d bytes", len(got))
			}
			if got := dump(t, s, table, "1"); string(got) != string(live) {
				t.Error("the rehearsal changed a live partition")
			}
		})
	}
}

// TestRehearsalIntoAnotherDatabase: the scratch tables may live in a
// database where the snapshot's table does not exist at all.
func TestRehearsalIntoAnotherDatabase(t *testing.T) {
	ctx := context.Background()
	_, s, table := ordersDB(t, modes[0])
	store := storetest.NewMemStore()
	m, err := snapshot.Take(ctx, s, store, []snapshot.Partition{{Table: table, Key: "1"}, {Table: table, Key: "3"}})
	if err != nil {
		t.Fatal(err)
	}
	other := sqliteDB(t)
	into := mustNew(t, other, Table("unrelated", "k"))
	rep, err := snapshot.Verify(ctx, store, m, snapshot.Rehearsal(into))
	if err != nil || rep.Rehearsed != 2 {
		t.Fatalf("rehearsal in another database = %+v, %v", rep, err)
	}
	if n := scratchTables(t, other, modes[0]); n != 0 {
		t.Errorf("%d scratch tables left", n)
	}
}

// TestRehearsalReportsDamage: a snapshot that cannot restore fails its
// rehearsal, naming the partition, and still leaves no scratch table.
func TestRehearsalReportsDamage(t *testing.T) {
	ctx := context.Background()
	db, s, table := ordersDB(t, modes[0])
	store := storetest.NewMemStore()
	m, err := snapshot.Take(ctx, s, store, []snapshot.Partition{{Table: table, Key: "1"}, {Table: table, Key: "2"}})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := store.List(ctx, "chunks/")
	if err := store.Delete(ctx, keys[0]); err != nil {
		t.Fatal(err)
	}
	rep, err := snapshot.Verify(ctx, store, m, snapshot.Rehearsal(s))
	var pe *snapshot.PartitionError
	if !errors.As(err, &pe) || !errors.Is(err, snapshot.ErrChunkMissing) || rep.Rehearsed != 1 || !strings.Contains(err.Error(), "rehearse") {
		t.Errorf("rehearsal of a damaged snapshot = %+v, %v; want one partition failed with a missing chunk", rep, err)
	}
	if n := scratchTables(t, db, modes[0]); n != 0 {
		t.Errorf("%d scratch tables left", n)
	}
}
