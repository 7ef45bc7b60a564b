package sqlsource

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot"
)

func TestNewValidates(t *testing.T) {
	db := sqliteDB(t)
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"no tables", nil},
		{"empty table", []Option{Table("", "p")}},
		{"empty partition column", []Option{Table("t", "")}},
		{"NUL in a name", []Option{Table("t\x00x", "p")}},
		{"table twice", []Option{Table("t", "p"), Table("t", "p")}},
		{"key twice", []Option{Table("t", "p", "id", "id")}},
		{"bad dialect", []Option{Table("t", "p"), Dialect("oracle")}},
		{"schema on SQLite", []Option{Table("main.t", "p")}},
		{"nil option", []Option{nil}},
	} {
		if _, err := New(db, tc.opts...); err == nil {
			t.Errorf("%s: New succeeded", tc.name)
		}
	}
	if _, err := New(nil, Table("t", "p")); err == nil {
		t.Error("New(nil) succeeded")
	}
	if s := mustNew(t, db, Table("t", "p")); s.dialect != sqlite {
		t.Errorf("modernc.org/sqlite detected as %v", s.dialect)
	}
}

func TestDetectPostgres(t *testing.T) {
	db, _ := pgDB(t)
	if s := mustNew(t, db, Table("t", "p")); s.dialect != postgres {
		t.Errorf("pgx detected as %v", s.dialect)
	}
}

// TestInjectionRejected: names reach SQL only after the catalog has them,
// and always quoted; partition keys are bind parameters or quoted literals.
func TestInjectionRejected(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			db, prefix, opts := md.open(t)
			ctx := context.Background()
			mustExec(t, db, `CREATE TABLE `+prefix+`victim (k TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (k, id))`,
				`INSERT INTO `+prefix+`victim VALUES ('a', 1)`)
			for _, name := range []string{
				prefix + `victim"; DROP TABLE victim; --`,
				prefix + `victim WHERE 1=1 --`,
				prefix + `"victim"`,
			} {
				s := mustNew(t, db, append(opts, Table(name, "k"))...)
				if _, err := s.Schema(ctx, name); !errors.Is(err, ErrUnknownTable) {
					t.Errorf("Schema(%q) = %v, want ErrUnknownTable", name, err)
				}
				if _, err := s.Dump(ctx, snapshot.Partition{Table: name, Key: "a"}, &bytes.Buffer{}); !errors.Is(err, ErrUnknownTable) {
					t.Errorf("Dump(%q) = %v, want ErrUnknownTable", name, err)
				}
			}
			s := mustNew(t, db, append(opts, Table(prefix+"victim", `k" IS NOT NULL OR "k`))...)
			if _, err := s.Partitions(ctx, prefix+"victim"); !errors.Is(err, ErrUnknownColumn) {
				t.Errorf("injected partition column: %v, want ErrUnknownColumn", err)
			}
			s = mustNew(t, db, append(opts, Table(prefix+"victim", "k"))...)
			for _, key := range []string{`a' OR '1'='1`, `a'; DROP TABLE victim; --`, `a\' OR 1=1 --`} {
				if got := dump(t, s, prefix+"victim", key); len(got) != 0 {
					t.Errorf("Dump key %q returned rows: %q", key, got)
				}
				err := s.Replace(ctx, snapshot.Partition{Table: prefix + "victim", Key: key}, strings.NewReader(""),
					func(rows int64, _ [sha256.Size]byte) error {
						if rows != 0 {
							return fmt.Errorf("%d rows", rows)
						}
						return nil
					})
				if err != nil {
					t.Errorf("Replace key %q: %v", key, err)
				}
			}
			if got := dump(t, s, prefix+"victim", "a"); string(got) != "a\t1\n" {
				t.Fatalf("victim table changed: %q", got)
			}
			keys := []string{"a", `a"b`, `a\`, "a'", `{"a"}`, "a,b"}
			c, err := s.Counts(ctx, prefix+"victim", keys)
			if err != nil || len(c) != len(keys) || c["a"] != 1 || c[`a"b`]+c[`a\`]+c["a'"]+c[`{"a"}`]+c["a,b"] != 0 {
				t.Errorf("Counts(%q) = %v, %v", keys, c, err)
			}
		})
	}
}

// TestAwkwardNames: real names with quotes, spaces and case work.
func TestAwkwardNames(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			db, prefix, opts := md.open(t)
			table := prefix + `"We""ird tab"`
			mustExec(t, db, `CREATE TABLE `+table+` ("Te""nant" TEXT NOT NULL, "i d" INTEGER NOT NULL, "v;--" TEXT, PRIMARY KEY ("Te""nant", "i d"))`,
				`INSERT INTO `+table+` VALUES ('x', 2, 'two'), ('x', 1, NULL), ('y', 1, 'other')`)
			name := prefix + `We"ird tab`
			s := mustNew(t, db, append(opts, Table(name, `Te"nant`), withPageSize(1))...)
			got := dump(t, s, name, "x")
			if string(got) != "x\t1\t\\N\nx\t2\ttwo\n" {
				t.Fatalf("dump = %q", got)
			}
			if err := s.Replace(context.Background(), snapshot.Partition{Table: name, Key: "x"}, bytes.NewReader(got), expect(got)); err != nil {
				t.Fatal(err)
			}
			c, err := s.Counts(context.Background(), name, []string{"x", "y"})
			if err != nil || c["x"] != 2 || c["y"] != 1 {
				t.Fatalf("Counts = %v, %v", c, err)
			}
		})
	}
}

func TestKeyColumns(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			db, prefix, opts := md.open(t)
			ctx := context.Background()
			mustExec(t, db,
				`CREATE TABLE `+prefix+`nopk (tenant INTEGER NOT NULL, id INTEGER NOT NULL, nullable INTEGER, v TEXT)`,
				`CREATE UNIQUE INDEX nopk_u ON `+prefix+`nopk (tenant, id)`,
				`CREATE UNIQUE INDEX nopk_n ON `+prefix+`nopk (nullable)`,
				`INSERT INTO `+prefix+`nopk VALUES (1, 3, NULL, 'c'), (1, 1, NULL, 'a'), (1, 2, 5, 'b')`)
			table := prefix + "nopk"
			for _, tc := range []struct {
				keys []string
				want error
			}{
				{nil, ErrNoKey},                  // no primary key
				{[]string{"v"}, ErrNoKey},        // no unique index
				{[]string{"nullable"}, ErrNoKey}, // nullable
				{[]string{"missing"}, ErrUnknownColumn},
				{[]string{"id"}, nil}, // with the partition column, covers nopk_u
			} {
				s := mustNew(t, db, append(opts, Table(table, "tenant", tc.keys...))...)
				sch, err := s.Schema(ctx, table)
				if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
					t.Errorf("keys %v: Schema error %v, want %v", tc.keys, err, tc.want)
					continue
				}
				if err == nil {
					if fmt.Sprint(sch.KeyColumns) != "[id]" {
						t.Errorf("KeyColumns = %v", sch.KeyColumns)
					}
					if got := dump(t, s, table, "1"); string(got) != "1\t1\t\\N\ta\n1\t2\t5\tb\n1\t3\t\\N\tc\n" {
						t.Errorf("dump = %q", got)
					}
				}
			}
			s := mustNew(t, db, append(opts, Table(table, "nosuch", "id"))...)
			if _, err := s.Schema(ctx, table); !errors.Is(err, ErrUnknownColumn) {
				t.Errorf("unknown partition column: %v", err)
			}
		})
	}
}
