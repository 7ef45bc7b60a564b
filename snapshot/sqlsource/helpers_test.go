package sqlsource

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/deploysafe/deploysafe/internal/testenv"
	"github.com/deploysafe/deploysafe/snapshot"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// pgDB opens the test PostgreSQL server and creates a schema of its own for
// t, dropped in Cleanup.
func pgDB(t testing.TB) (*sql.DB, string) {
	t.Helper()
	dsn := testenv.PostgresDSN(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "sqlsource_" + hex.EncodeToString(b[:])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		db.Close()
	})
	return db, schema
}

// sqliteDB opens a fresh SQLite database in a temp file.
func sqliteDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "test.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func mustNew(t testing.TB, db *sql.DB, opts ...Option) *Source {
	t.Helper()
	s, err := New(db, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dump(t testing.TB, s *Source, table, key string) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := s.Dump(context.Background(), snapshot.Partition{Table: table, Key: key}, &buf)
	if err != nil {
		t.Fatalf("Dump %s/%s: %v", table, key, err)
	}
	if got := int64(bytes.Count(buf.Bytes(), []byte{'\n'})); got != n {
		t.Fatalf("Dump %s/%s returned %d rows but wrote %d lines", table, key, n, got)
	}
	return buf.Bytes()
}

// expect returns a verify func that accepts exactly data's rows and digest.
func expect(data []byte) func(int64, [sha256.Size]byte) error {
	want := [sha256.Size]byte(sha256.Sum256(data))
	rows := int64(bytes.Count(data, []byte{'\n'}))
	return func(n int64, sum [sha256.Size]byte) error {
		if n != rows || sum != want {
			return fmt.Errorf("got %d rows %s, want %d rows %s", n, sum, rows, want)
		}
		return nil
	}
}

// modes are the ways a Source can talk to a database in the tests.
type mode struct {
	name string
	open func(t testing.TB) (*sql.DB, string, []Option) // db, table prefix, options
}

var modes = []mode{
	{"sqlite", func(t testing.TB) (*sql.DB, string, []Option) { return sqliteDB(t), "", nil }},
	{"postgres-copy", func(t testing.TB) (*sql.DB, string, []Option) {
		db, s := pgDB(t)
		return db, s + ".", nil
	}},
	{"postgres-generic", func(t testing.TB) (*sql.DB, string, []Option) {
		db, s := pgDB(t)
		return db, s + ".", []Option{withCopy(false)}
	}},
}
