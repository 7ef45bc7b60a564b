package sqlsource

import (
	"bytes"
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/snapshot"
)

// TestReplaceLocksThePartitionByName pins the advisory lock a Replace takes
// on PostgreSQL: hashtextextended of `"schema"."table"/key`, whatever the
// Source calls the table. Every process and every library version must
// take the same lock, or two restores of one partition interleave. Keys
// "" and one with quotes and a backslash are partitions like any other.
func TestReplaceLocksThePartitionByName(t *testing.T) {
	db, schema := pgDB(t)
	mustExec(t, db, `CREATE TABLE `+schema+`."Odd ""t""" (tenant text NOT NULL, id int NOT NULL, PRIMARY KEY (tenant, id))`,
		`INSERT INTO `+schema+`."Odd ""t""" VALUES ('', 1), ('a"b\', 1), ('x', 1)`)
	table := schema + `.Odd "t"`
	s := mustNew(t, db, Table(table, "tenant"))
	ctx := context.Background()
	for _, key := range []string{"", `a"b\`} {
		data := dump(t, s, table, key)
		holder, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := holder.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		name := `"` + schema + `"."Odd ""t"""/` + key
		if _, err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, name); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			done <- s.Replace(ctx, snapshot.Partition{Table: table, Key: key}, bytes.NewReader(data), expect(data))
		}()
		waitForAdvisoryWaiter(t, db, name)
		select {
		case err := <-done:
			t.Fatalf("key %q: Replace returned (%v) while another transaction held the lock %s", key, err, name)
		default:
		}
		// Another partition of the same table is not held up.
		other := dump(t, s, table, "x")
		if err := s.Replace(ctx, snapshot.Partition{Table: table, Key: "x"}, bytes.NewReader(other), expect(other)); err != nil {
			t.Fatalf("Replace of another partition: %v", err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		holder.Close()
		if err := <-done; err != nil {
			t.Fatalf("key %q: Replace after the lock was released: %v", key, err)
		}
	}
}

// waitForAdvisoryWaiter returns once some backend waits for the advisory
// lock hashtextextended(name, 0): the Replace under test has reached it. It
// fails t after a minute, far beyond any wait a working Replace needs.
func waitForAdvisoryWaiter(t testing.TB, db *sql.DB, name string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND objsubid = 1 AND (classid::int8 << 32 | objid::int8) = hashtextextended($1, 0)`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
	}
	t.Fatal("no Replace waited for the partition's advisory lock")
}

// TestReplacePinsSettingsForEveryKey: a session whose TimeZone renders
// timestamps differently must not change what Replace dumps and verifies,
// for the empty key as for any other.
func TestReplacePinsSettingsForEveryKey(t *testing.T) {
	db, schema := pgDB(t)
	db.SetMaxOpenConns(1) // the SET below and the Source share one session
	table := schema + ".events"
	mustExec(t, db, `CREATE TABLE `+table+` (tenant text NOT NULL, id int NOT NULL, at timestamptz, PRIMARY KEY (tenant, id))`)
	s := mustNew(t, db, Table(table, "tenant"))
	mustExec(t, db, `SET TimeZone = 'Asia/Kathmandu'`, `SET DateStyle = 'SQL, DMY'`)
	for _, key := range []string{"", "t"} {
		data := []byte(key + "\t1\t2026-03-29 01:30:00+00\n" + key + "\t2\t1999-12-31 23:59:59.5+00\n")
		for round, what := range []string{"into an empty partition", "over the same rows"} {
			if err := s.Replace(context.Background(), snapshot.Partition{Table: table, Key: key}, bytes.NewReader(data), expect(data)); err != nil {
				t.Fatalf("key %q, Replace %d (%s): %v", key, round+1, what, err)
			}
		}
		if got := dump(t, s, table, key); !bytes.Equal(got, data) {
			t.Errorf("key %q: dump %q, want %q", key, got, data)
		}
	}
}
