package sqlsource

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot"
)

// physical maps each row of a partition (by the text of its key column) to
// where it physically lives: ctid on PostgreSQL, rowid on SQLite. A row
// that is deleted and loaded again moves.
func physical(t testing.TB, md mode, db *sql.DB, table, keyCol, tenant string) map[string]string {
	t.Helper()
	loc, arg := "rowid", "?"
	if strings.HasPrefix(md.name, "postgres") {
		loc, arg = "ctid", "$1"
	}
	rows, err := db.Query(fmt.Sprintf("SELECT CAST(%s AS TEXT), CAST(%s AS TEXT) FROM %s WHERE CAST(tenant AS TEXT) = %s", keyCol, loc, table, arg), tenant)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, l string
		if err := rows.Scan(&k, &l); err != nil {
			t.Fatal(err)
		}
		m[k] = l
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReplaceWritesOnlyWhatDiffers: rows identical to the snapshot are not
// rewritten, so restoring an undamaged tenant writes nothing and a damaged
// one only its damage; the result is the snapshot either way.
func TestReplaceWritesOnlyWhatDiffers(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			db, s, table := ordersDB(t, md)
			ctx := context.Background()
			p := snapshot.Partition{Table: table, Key: "2"}
			snap, other := dump(t, s, table, "2"), dump(t, s, table, "1")
			before := physical(t, md, db, table, "id", "2")

			if err := s.Replace(ctx, p, bytes.NewReader(snap), expect(snap)); err != nil {
				t.Fatal(err)
			}
			if after := physical(t, md, db, table, "id", "2"); !maps.Equal(after, before) {
				t.Fatalf("restoring an undamaged partition rewrote rows: %v, was %v", after, before)
			}

			q := func(sql string) string {
				if strings.HasPrefix(md.name, "postgres") {
					return sql
				}
				return strings.NewReplacer("$1", "?").Replace(sql)
			}
			mustExec(t, db, q("DELETE FROM "+table+" WHERE tenant = 2 AND id = 20"),
				q("UPDATE "+table+" SET note = 'damaged' WHERE tenant = 2 AND id = 40"),
				q("INSERT INTO "+table+" VALUES (2, 99, 'stray', 1)"))
			damaged := physical(t, md, db, table, "id", "2")
			if err := s.Replace(ctx, p, bytes.NewReader(snap), expect(snap)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s, table, "2"); !bytes.Equal(got, snap) {
				t.Fatalf("after Replace, dump =\n%q\nwant\n%q", got, snap)
			}
			after := physical(t, md, db, table, "id", "2")
			for _, id := range []string{"10", "30", "50", "60", "70"} {
				if after[id] != damaged[id] {
					t.Errorf("row %s was identical to the snapshot but was rewritten (%s → %s)", id, damaged[id], after[id])
				}
			}
			// Row 40 kept its key: it is updated in place (SQLite keeps its
			// rowid), never deleted and inserted again.
			if pg := strings.HasPrefix(md.name, "postgres"); pg == (after["40"] == damaged["40"]) {
				t.Errorf("row 40 (changed) at %s, was %s: want updated in place", after["40"], damaged["40"])
			}
			if !bytes.Equal(dump(t, s, table, "1"), other) {
				t.Fatal("Replace touched another partition")
			}

			// Past the in-memory limit the snapshot's rows are spooled to a
			// file and still diffed: the identical rows are not rewritten.
			spooled := mustNew(t, db, Table(table, "tenant"), withDiffLimit(int64(len(snap))-1), withCopy(md.name != "postgres-generic"))
			mustExec(t, db, q("DELETE FROM "+table+" WHERE tenant = 2 AND id = 20"))
			damaged = physical(t, md, db, table, "id", "2")
			if err := spooled.Replace(ctx, p, bytes.NewReader(snap), expect(snap)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s, table, "2"); !bytes.Equal(got, snap) {
				t.Fatalf("after a spooled Replace, dump =\n%q\nwant\n%q", got, snap)
			}
			if after := physical(t, md, db, table, "id", "2"); after["10"] != damaged["10"] {
				t.Error("a spooled partition was replaced whole: its identical rows were rewritten")
			}

			// Differences past the limit replace the partition whole, with
			// the same result.
			whole := mustNew(t, db, Table(table, "tenant"), withDiffLimit(16), withCopy(md.name != "postgres-generic"))
			mustExec(t, db, q("DELETE FROM "+table+" WHERE tenant = 2 AND id IN (20, 30)"),
				q("UPDATE "+table+" SET note = 'damaged' WHERE tenant = 2 AND id = 40"))
			damaged = physical(t, md, db, table, "id", "2")
			if err := whole.Replace(ctx, p, bytes.NewReader(snap), expect(snap)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s, table, "2"); !bytes.Equal(got, snap) {
				t.Fatalf("after a whole Replace, dump =\n%q\nwant\n%q", got, snap)
			}
			if after := physical(t, md, db, table, "id", "2"); after["10"] == damaged["10"] {
				t.Error("a partition whose differences pass the diff limit was not replaced whole")
			}

			// So is one whose live rows differ by more than the limit,
			// although the snapshot's rows are within it.
			one := []byte("2\t10\tone\t\\N\n")
			whole = mustNew(t, db, Table(table, "tenant"), withDiffLimit(int64(len(one))+8), withCopy(md.name != "postgres-generic"))
			if err := whole.Replace(ctx, p, bytes.NewReader(one), expect(one)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s, table, "2"); !bytes.Equal(got, one) {
				t.Fatalf("after a Replace past the stale limit, dump = %q, want %q", got, one)
			}
		})
	}
}

// TestReplaceDeletesByAwkwardKeys: stale rows are deleted by a key that
// went through COPY TEXT escaping and back.
func TestReplaceDeletesByAwkwardKeys(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			db, prefix, opts := md.open(t)
			table := prefix + "names"
			mustExec(t, db, `CREATE TABLE `+table+` (tenant TEXT NOT NULL, name TEXT NOT NULL, v INTEGER, PRIMARY KEY (tenant, name))`)
			ins := fmt.Sprintf("INSERT INTO %s VALUES (%s)", table, placeholders(md.name, 3))
			for i, name := range tricky {
				if _, err := db.Exec(ins, "t", name, i); err != nil {
					t.Fatal(err)
				}
			}
			s := mustNew(t, db, append(opts, Table(table, "tenant"))...)
			snap := dump(t, s, table, "t")
			upd := fmt.Sprintf("UPDATE %s SET v = v + 100 WHERE name = %s", table, placeholders(md.name, 1))
			for _, name := range tricky[1:] { // one row stays as it was
				if _, err := db.Exec(upd, name); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Exec(ins, "t", "only\tlive\n", 0); err != nil {
				t.Fatal(err)
			}
			if err := s.Replace(context.Background(), snapshot.Partition{Table: table, Key: "t"}, bytes.NewReader(snap), expect(snap)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s, table, "t"); !bytes.Equal(got, snap) {
				t.Fatalf("after Replace, dump =\n%q\nwant\n%q", got, snap)
			}
		})
	}
}

// TestReplacePartitionIsTheKey: a table keyed by its partition column alone
// (one row per partition), and a snapshot in which the partition was empty.
func TestReplacePartitionIsTheKey(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			db, prefix, opts := md.open(t)
			table := prefix + "settings"
			mustExec(t, db, `CREATE TABLE `+table+` (tenant INTEGER NOT NULL PRIMARY KEY, v TEXT)`,
				`INSERT INTO `+table+` VALUES (1, 'one'), (2, 'two')`)
			s := mustNew(t, db, append(opts, Table(table, "tenant"))...)
			ctx := context.Background()
			snap := dump(t, s, table, "1")
			mustExec(t, db, `UPDATE `+table+` SET v = 'damaged' WHERE tenant = 1`)
			if err := s.Replace(ctx, snapshot.Partition{Table: table, Key: "1"}, bytes.NewReader(snap), expect(snap)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s, table, "1"); !bytes.Equal(got, snap) {
				t.Fatalf("after Replace, dump = %q, want %q", got, snap)
			}
			if err := s.Replace(ctx, snapshot.Partition{Table: table, Key: "2"}, strings.NewReader(""), expect(nil)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s, table, "2"); len(got) != 0 {
				t.Fatalf("a partition restored to empty still holds %q", got)
			}
			if got := dump(t, s, table, "1"); !bytes.Equal(got, snap) {
				t.Fatal("Replace of partition 2 touched partition 1")
			}
		})
	}
}

// TestConcurrentReplace: Replaces of different partitions, and of the same
// one, may run at once (snapshot.Restore runs them in parallel), on SQLite
// too, where a transaction that reads the live rows before it writes could
// not wait for the lock.
func TestConcurrentReplace(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			_, s, table := ordersDB(t, md)
			full, smaller := map[string][]byte{}, map[string][]byte{}
			for _, k := range []string{"1", "2", "3"} {
				full[k] = dump(t, s, table, k)
				smaller[k] = bytes.Join(bytes.SplitAfter(full[k], []byte{'\n'})[2:], nil)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 24)
			for round := 0; round < 4; round++ {
				for k := range full {
					for _, data := range [][]byte{full[k], smaller[k]} {
						wg.Add(1)
						go func() {
							defer wg.Done()
							errs <- s.Replace(context.Background(), snapshot.Partition{Table: table, Key: k}, bytes.NewReader(data), expect(data))
						}()
					}
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			for k, data := range full {
				if err := s.Replace(context.Background(), snapshot.Partition{Table: table, Key: k}, bytes.NewReader(data), expect(data)); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(dump(t, s, table, k), data) {
					t.Errorf("partition %s differs after concurrent Replaces", k)
				}
			}
		})
	}
}

// FuzzLiveDiff: however the live dump is cut into writes, every live line
// is either kept (then it equals a snapshot line, matched once) or stale,
// and the snapshot lines not kept are exactly what missing returns.
func FuzzLiveDiff(f *testing.F) {
	f.Add("a\nb\nc\n", "b\nx\na\n", []byte{1, 3})
	f.Add("a\na\n\n", "a\na\n\n\n", []byte{0, 0, 2})
	f.Add("", "only live", []byte{4})
	f.Fuzz(func(t *testing.T, want, live string, cuts []byte) {
		// In memory, and spooled to a file (a limit below the rows' size).
		limit := int64(1 << 20)
		if len(cuts) > 0 && cuts[0]%2 == 1 {
			limit = int64(len(want) / 2)
		}
		w, err := readWant(strings.NewReader(want), limit)
		if err != nil {
			t.Fatalf("readWant: %v", err)
		}
		defer w.close()
		if spooled := w.spool != nil; spooled != (int64(len(want)) > limit) {
			t.Fatalf("%d bytes, limit %d: spooled = %v", len(want), limit, spooled)
		}
		d := &liveDiff{want: w, limit: 1 << 20}
		data := []byte(live)
		for _, c := range cuts {
			n := min(int(c), len(data))
			if _, err := d.Write(data[:n]); err != nil {
				t.Fatal(err)
			}
			data = data[n:]
		}
		d.Write(data)
		d.close()

		var liveLines []string
		if live != "" {
			liveLines = strings.Split(strings.TrimSuffix(live, "\n"), "\n")
		}
		var wantLines []string
		if want != "" {
			wantLines = strings.Split(strings.TrimSuffix(want, "\n"), "\n")
		}
		if d.kept+len(d.stale) != len(liveLines) {
			t.Fatalf("kept %d + stale %d, want %d live lines", d.kept, len(d.stale), len(liveLines))
		}
		r, size := w.rows(false)
		missing, err := io.ReadAll(r)
		if err != nil || int64(len(missing)) < size {
			t.Fatalf("missing rows: %d bytes of %d, %v", len(missing), size, err)
		}
		n := 0
		if len(missing) > 0 {
			n = strings.Count(strings.TrimSuffix(string(missing), "\n"), "\n") + 1
		}
		if n+d.kept != len(wantLines) {
			t.Fatalf("missing %d + kept %d, want %d snapshot lines", n, d.kept, len(wantLines))
		}
		all, _ := w.rows(true)
		if got, err := io.ReadAll(all); err != nil || string(got) != want {
			t.Fatalf("every row: %q, %v; want %q", got, err, want)
		}
		// Multisets: live = kept + stale, and snapshot = kept + missing.
		count := map[string]int{}
		for _, l := range liveLines {
			count[l]++
		}
		for _, l := range d.stale {
			count[l]--
		}
		for _, l := range wantLines {
			count[l]--
		}
		if n > 0 {
			for _, l := range strings.Split(strings.TrimSuffix(string(missing), "\n"), "\n") {
				count[l]++
			}
		}
		for l, c := range count {
			if c != 0 {
				t.Fatalf("line %q: live - stale - snapshot + missing = %d, want 0", l, c)
			}
		}
	})
}

// TestLiveDiffOverflow: stale rows are kept only up to the limit; past it
// the diff gives up on them instead of growing with the live partition.
func TestLiveDiffOverflow(t *testing.T) {
	w, err := readWant(strings.NewReader("a\nb\n"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	d := &liveDiff{want: w, limit: 10}
	d.Write([]byte("a\nxxxx\n"))
	if d.overflow || len(d.stale) != 1 {
		t.Fatalf("after 5 stale bytes: overflow %v, stale %q", d.overflow, d.stale)
	}
	d.Write([]byte("yyyyyy\nzz\n"))
	if !d.overflow || d.stale != nil {
		t.Fatalf("after 15 stale bytes: overflow %v, stale %q, want overflow and nothing kept", d.overflow, d.stale)
	}
	if d.kept != 1 {
		t.Errorf("kept = %d, want 1", d.kept)
	}
}

// TestReplaceDiffFailureRollsBack: a differential Replace that fails after
// it deleted the stale rows (the load meets a row of another partition)
// leaves the damaged partition exactly as it was, not half repaired.
func TestReplaceDiffFailureRollsBack(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			db, s, table := ordersDB(t, md)
			snap := dump(t, s, table, "1")
			mustExec(t, db, "UPDATE "+table+" SET note = 'damaged' WHERE tenant = 1 AND id = 20")
			damaged, other := dump(t, s, table, "1"), dump(t, s, table, "2")
			bad := append(append([]byte(nil), snap...), "2\t999\tnot mine\t1\n"...)
			err := s.Replace(context.Background(), snapshot.Partition{Table: table, Key: "1"}, bytes.NewReader(bad), expect(bad))
			if !errors.Is(err, ErrForeignRow) {
				t.Fatalf("Replace error = %v, want ErrForeignRow", err)
			}
			if got := dump(t, s, table, "1"); !bytes.Equal(got, damaged) {
				t.Fatalf("a failed differential Replace changed the partition:\n%q\nwant\n%q", got, damaged)
			}
			if !bytes.Equal(dump(t, s, table, "2"), other) {
				t.Fatal("a failed Replace changed another partition")
			}
		})
	}
}

// sizedReader is a reader with a size hint that may lie.
type sizedReader struct {
	io.Reader
	n int
}

func (r sizedReader) Len() int { return r.n }

// TestReadWantIgnoresABadSizeHint: Len is only a hint; whatever it says,
// readWant reads what the reader holds, in memory up to the limit and
// spooled to a file past it.
func TestReadWantIgnoresABadSizeHint(t *testing.T) {
	const data = "a\nb\nc\n"
	for _, hint := range []int{-1, 0, 3, len(data), 1 << 40} {
		for _, limit := range []int64{1 << 20, 4} {
			w, err := readWant(sizedReader{strings.NewReader(data), hint}, limit)
			if err != nil {
				t.Fatalf("hint %d, limit %d: %v", hint, limit, err)
			}
			var lines []string
			for i := range w.count() {
				l, err := w.line(i)
				if err != nil {
					t.Fatal(err)
				}
				lines = append(lines, l)
			}
			if strings.Join(lines, ",") != "a,b,c" || (w.spool != nil) != (limit < int64(len(data))) {
				t.Errorf("hint %d, limit %d: lines %q, spooled %v", hint, limit, lines, w.spool != nil)
			}
			w.close()
		}
	}
}

// TestReadWantBound: a partition of exactly the bound stays in memory; one
// byte more is spooled.
func TestReadWantBound(t *testing.T) {
	const data = "a\nb\nc\n"
	for _, tc := range []struct {
		limit   int64
		spooled bool
	}{{int64(len(data)), false}, {int64(len(data)) - 1, true}} {
		w, err := readWant(strings.NewReader(data), tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if (w.spool != nil) != tc.spooled || w.count() != 3 {
			t.Errorf("%d bytes, limit %d: spooled %v, %d lines; want spooled %v, 3 lines", len(data), tc.limit, w.spool != nil, w.count(), tc.spooled)
		}
		w.close()
	}
}
