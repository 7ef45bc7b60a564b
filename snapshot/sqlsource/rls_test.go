package sqlsource

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/internal/testenv"
	"github.com/deploysafe/deploysafe/snapshot"
)

// TestRowSecurityRefusesPartialReads: a role under a row-level security
// policy that lets it see site 1 only gets an error from Take, Dump,
// Partitions and Counts, never fewer partitions or rows that look whole
// (pg_dump refuses the same way). The table's owner reads as before.
func TestRowSecurityRefusesPartialReads(t *testing.T) {
	ctx := context.Background()
	db, schema := pgDB(t)
	tbl := schema + ".tickets"
	var b [6]byte
	rand.Read(b[:])
	role := "sqlsource_rls_" + hex.EncodeToString(b[:])
	mustExec(t, db, "CREATE ROLE "+role+" NOLOGIN")
	t.Cleanup(func() {
		if _, err := db.Exec("DROP OWNED BY " + role); err != nil {
			t.Errorf("drop owned: %v", err)
		}
		if _, err := db.Exec("DROP ROLE " + role); err != nil {
			t.Errorf("drop role: %v", err)
		}
	})
	mustExec(t, db,
		fmt.Sprintf("CREATE TABLE %s (site INTEGER NOT NULL, id INTEGER PRIMARY KEY)", tbl),
		fmt.Sprintf("INSERT INTO %s SELECT g %% 2, g FROM generate_series(1, 10) g", tbl),
		fmt.Sprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY", tbl),
		fmt.Sprintf("CREATE POLICY site_one ON %s TO %s USING (site = 1)", tbl, role),
		fmt.Sprintf("GRANT USAGE ON SCHEMA %s TO %s", schema, role),
		fmt.Sprintf("GRANT SELECT ON %s TO %s", tbl, role))

	// The owner: not subject to the policy.
	owner := mustNew(t, db, Table(tbl, "site"))
	if keys, err := owner.Partitions(ctx, tbl); err != nil || len(keys) != 2 {
		t.Fatalf("owner: Partitions = %v, %v; want both sites", keys, err)
	}

	// The role: one connection, SET ROLE for its session.
	rdb, err := sql.Open("pgx", testenv.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	rdb.SetMaxOpenConns(1)
	rdb.SetMaxIdleConns(1)
	if _, err := rdb.Exec("SET ROLE " + role); err != nil {
		t.Fatal(err)
	}
	src := mustNew(t, rdb, Table(tbl, "site"))
	const want = "row-level security"
	if keys, err := src.Partitions(ctx, tbl); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Partitions = %v, %v; want a row-level security error", keys, err)
	}
	if counts, err := src.Counts(ctx, tbl, []string{"0", "1"}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Counts = %v, %v; want a row-level security error", counts, err)
	}
	var buf strings.Builder
	if n, err := src.Dump(ctx, snapshot.Partition{Table: tbl, Key: "0"}, &buf); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Dump = %d rows, %v; want a row-level security error", n, err)
	}
	store, err := snapshot.NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if m, err := snapshot.Take(ctx, src, store, []snapshot.Partition{{Table: tbl, Key: "0"}, {Table: tbl, Key: "1"}}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Take = %v, %v; want a row-level security error", m, err)
	}
}
