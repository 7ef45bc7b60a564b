package sqlsource

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
)

// TestSQLiteParallelRestoreDefaultDSN: a user who opens SQLite with no busy
// timeout and the default pool must still get a parallel Restore that
// succeeds; the Source serializes its own writes.
func TestSQLiteParallelRestoreDefaultDSN(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "plain.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mustExec(t, db, `CREATE TABLE orders (tenant TEXT NOT NULL, id INTEGER NOT NULL, note TEXT, PRIMARY KEY (tenant, id))`)
	var sel []snapshot.Partition
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for tn := range 20 {
		key := fmt.Sprintf("site-%02d", tn)
		sel = append(sel, snapshot.Partition{Table: "orders", Key: key})
		for id := range 200 {
			if _, err := tx.Exec(`INSERT INTO orders VALUES (?, ?, ?)`, key, id, fmt.Sprintf("note %d", id)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	src := mustNew(t, db, Table("orders", "tenant"))
	store := storetest.NewMemStore()
	m, err := snapshot.Take(ctx, src, store, sel)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `DELETE FROM orders WHERE id % 3 = 0`, `UPDATE orders SET note = 'x' WHERE id % 5 = 0`)
	if _, err := snapshot.Restore(ctx, src, store, m, sel, snapshot.Parallelism(8)); err != nil {
		t.Fatalf("parallel Restore on SQLite with a default DSN: %v", err)
	}
	if v, err := snapshot.Check(ctx, src, m, snapshot.Unchanged(sel...)); err != nil || len(v) != 0 {
		t.Fatalf("after Restore: %v, %v; want every partition as snapshotted", v, err)
	}
}
