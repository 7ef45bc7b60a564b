package sqlsource

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/internal/rowcodec"
)

var tricky = []string{
	"plain", "", "tab\there", "new\nline", `back\slash`, `\N`, "cr\rlf", "ünïcødé ✓ 日本", "'quote\"", "\\\t\n\\N",
}

// ordersDB creates orders(tenant, id, note, amount) with tenants 1–3 and
// seven rows each, two of them with NULLs.
func ordersDB(t testing.TB, md mode) (*sql.DB, *Source, string) {
	t.Helper()
	db, prefix, opts := md.open(t)
	table := prefix + "orders"
	mustExec(t, db, fmt.Sprintf(`CREATE TABLE %s (tenant INTEGER NOT NULL, id INTEGER NOT NULL,
		note TEXT, amount DOUBLE PRECISION, PRIMARY KEY (tenant, id))`, table))
	ins := fmt.Sprintf("INSERT INTO %s VALUES (%s)", table, placeholders(md.name, 4))
	for tenant := 1; tenant <= 3; tenant++ {
		for id := 7; id >= 1; id-- { // inserted out of order on purpose
			var note, amount any = tricky[(id+tenant)%len(tricky)], float64(id)/10 + float64(tenant)
			if id == 3 {
				note = nil
			}
			if id == 5 {
				amount = nil
			}
			if _, err := db.Exec(ins, tenant, id*10, note, amount); err != nil {
				t.Fatal(err)
			}
		}
	}
	opts = append(opts, Table(table, "tenant"), withPageSize(3))
	return db, mustNew(t, db, opts...), table
}

func placeholders(mode string, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = "?"
		if strings.HasPrefix(mode, "postgres") {
			p[i] = fmt.Sprintf("$%d", i+1)
		}
	}
	return strings.Join(p, ", ")
}

func TestDumpOrderAndEncoding(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			_, s, table := ordersDB(t, md)
			got := dump(t, s, table, "2")
			lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
			if len(lines) != 7 {
				t.Fatalf("got %d rows, want 7:\n%s", len(lines), got)
			}
			for i, l := range lines {
				row, err := rowcodec.Decode([]byte(l))
				if err != nil {
					t.Fatalf("row %d: %v", i, err)
				}
				if want := fmt.Sprint((i + 1) * 10); row[1].String != want || row[0].String != "2" {
					t.Errorf("row %d = %q, want tenant 2 id %s (rows ordered by key)", i, l, want)
				}
				id := i + 1
				if wantNull := id == 3; row[2].Valid == wantNull {
					t.Errorf("row %d note valid=%v, want NULL=%v", i, row[2].Valid, wantNull)
				} else if !wantNull && row[2].String != tricky[(id+2)%len(tricky)] {
					t.Errorf("row %d note = %q, want %q", i, row[2].String, tricky[(id+2)%len(tricky)])
				}
			}
			if n := len(dump(t, s, table, "99")); n != 0 {
				t.Errorf("Dump of an absent partition wrote %d bytes", n)
			}
		})
	}
}

func TestReplaceRoundTrip(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			_, s, table := ordersDB(t, md)
			ctx := context.Background()
			p := snapshot.Partition{Table: table, Key: "2"}
			before, other1, other3 := dump(t, s, table, "2"), dump(t, s, table, "1"), dump(t, s, table, "3")
			// Replace with a modified partition: one row dropped.
			lines := bytes.SplitAfter(before, []byte{'\n'})
			smaller := bytes.Join(lines[1:], nil)
			if err := s.Replace(ctx, p, bytes.NewReader(smaller), expect(smaller)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s, table, "2"); !bytes.Equal(got, smaller) {
				t.Fatalf("after Replace, dump =\n%q\nwant\n%q", got, smaller)
			}
			// And back to the original: byte-identical.
			if err := s.Replace(ctx, p, bytes.NewReader(before), expect(before)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s, table, "2"); !bytes.Equal(got, before) {
				t.Fatalf("round trip differs:\n%q\nwant\n%q", got, before)
			}
			if !bytes.Equal(dump(t, s, table, "1"), other1) || !bytes.Equal(dump(t, s, table, "3"), other3) {
				t.Fatal("Replace touched another partition")
			}
			// Replacing a partition that does not exist yet creates it.
			p4 := snapshot.Partition{Table: table, Key: "4"}
			four := []byte("4\t1\tnew\t\\N\n")
			if err := s.Replace(ctx, p4, bytes.NewReader(four), expect(four)); err != nil {
				t.Fatal(err)
			}
			if got := dump(t, s, table, "4"); !bytes.Equal(got, []byte("4\t1\tnew\t\\N\n")) {
				t.Fatalf("new partition dump = %q", got)
			}
		})
	}
}

func TestReplaceVerifyRejectionRollsBack(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			_, s, table := ordersDB(t, md)
			before := dump(t, s, table, "1")
			errNo := errors.New("digest does not match manifest")
			var gotRows int64
			err := s.Replace(context.Background(), snapshot.Partition{Table: table, Key: "1"},
				strings.NewReader("1\t5\tonly row\t1.5\n"),
				func(rows int64, _ [sha256.Size]byte) error { gotRows = rows; return errNo })
			if !errors.Is(err, errNo) {
				t.Fatalf("Replace error = %v, want the verify error", err)
			}
			if gotRows != 1 {
				t.Errorf("verify saw %d rows, want the 1 loaded", gotRows)
			}
			if after := dump(t, s, table, "1"); !bytes.Equal(after, before) {
				t.Fatalf("partition changed although verify refused:\n%q\nwant\n%q", after, before)
			}
		})
	}
}

func TestReplaceRejectsForeignRows(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			_, s, table := ordersDB(t, md)
			before1, before2 := dump(t, s, table, "1"), dump(t, s, table, "2")
			in := "1\t5\tmine\t1\n2\t999\tnot mine\t1\n"
			called := false
			err := s.Replace(context.Background(), snapshot.Partition{Table: table, Key: "1"},
				strings.NewReader(in), func(int64, [sha256.Size]byte) error { called = true; return nil })
			if !errors.Is(err, ErrForeignRow) {
				t.Fatalf("Replace error = %v, want ErrForeignRow", err)
			}
			if called {
				t.Error("verify was called although the load failed")
			}
			if !bytes.Equal(dump(t, s, table, "1"), before1) || !bytes.Equal(dump(t, s, table, "2"), before2) {
				t.Fatal("a failed Replace changed data")
			}
		})
	}
}

func TestReplaceBadInputRollsBack(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			_, s, table := ordersDB(t, md)
			before := dump(t, s, table, "1")
			for _, in := range []string{
				"1\t5\ttoo few fields\n",
				"1\t5\tx\t1\n1\t5\tduplicate key\t1\n",
				"1\tnot-a-number\tx\t1\n",
			} {
				err := s.Replace(context.Background(), snapshot.Partition{Table: table, Key: "1"},
					strings.NewReader(in), func(int64, [sha256.Size]byte) error { return nil })
				if err == nil && !strings.HasPrefix(md.name, "sqlite") {
					t.Errorf("Replace(%q) succeeded", in)
				}
				if err == nil {
					continue // SQLite's dynamic typing accepts "not-a-number"
				}
				if after := dump(t, s, table, "1"); !bytes.Equal(after, before) {
					t.Fatalf("Replace(%q) failed (%v) but changed the partition", in, err)
				}
			}
		})
	}
}

// cancelReader cancels its context once n bytes have been read, then keeps
// returning data, as a slow network would.
type cancelReader struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
	}
	if len(p) > 16 {
		p = p[:16]
	}
	k, err := c.r.Read(p)
	c.n -= k
	return k, err
}

func TestReplaceCancelledMidwayRollsBack(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			_, s, table := ordersDB(t, md)
			before, other := dump(t, s, table, "1"), dump(t, s, table, "2")
			var in bytes.Buffer
			for i := 0; i < 3000; i++ {
				fmt.Fprintf(&in, "1\t%d\trow %d\t%d.5\n", i, i, i)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err := s.Replace(ctx, snapshot.Partition{Table: table, Key: "1"},
				&cancelReader{r: &in, n: 200, cancel: cancel},
				func(int64, [sha256.Size]byte) error { return nil })
			if err == nil {
				t.Fatal("Replace succeeded although its context was cancelled")
			}
			if !bytes.Equal(dump(t, s, table, "1"), before) || !bytes.Equal(dump(t, s, table, "2"), other) {
				t.Fatal("a cancelled Replace changed data")
			}
		})
	}
}

func TestCountsAndPartitions(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			_, s, table := ordersDB(t, md)
			ctx := context.Background()
			keys, err := s.Partitions(ctx, table)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(keys, ",") != "1,2,3" {
				t.Errorf("Partitions = %q, want 1,2,3", keys)
			}
			counts, err := s.Counts(ctx, table, []string{"3", "1", "42"})
			if err != nil {
				t.Fatal(err)
			}
			if len(counts) != 3 || counts["1"] != 7 || counts["3"] != 7 || counts["42"] != 0 {
				t.Errorf("Counts = %v, want 1:7 3:7 42:0", counts)
			}
			if _, err := s.Counts(ctx, "nope", []string{"1"}); !errors.Is(err, ErrUnknownTable) {
				t.Errorf("Counts of an unconfigured table: %v, want ErrUnknownTable", err)
			}
		})
	}
}

// failReader fails after n bytes, as a store read that breaks midway.
type failReader struct {
	r io.Reader
	n int
}

var errBroken = errors.New("store connection reset")

func (f *failReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errBroken
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	k, err := f.r.Read(p)
	f.n -= k
	return k, err
}

func TestReplaceReadErrorRollsBack(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			_, s, table := ordersDB(t, md)
			before := dump(t, s, table, "1")
			var in bytes.Buffer
			for i := 0; i < 2000; i++ {
				fmt.Fprintf(&in, "1\t%d\trow %d\t%d.5\n", i, i, i)
			}
			for _, n := range []int{0, 10, 20000} {
				err := s.Replace(context.Background(), snapshot.Partition{Table: table, Key: "1"},
					&failReader{r: bytes.NewReader(in.Bytes()), n: n}, func(int64, [sha256.Size]byte) error { return nil })
				if err == nil {
					t.Fatalf("Replace succeeded although its reader failed after %d bytes", n)
				}
				if !errors.Is(err, errBroken) {
					t.Errorf("error %v does not wrap the reader's error", err)
				}
				if !bytes.Equal(dump(t, s, table, "1"), before) {
					t.Fatalf("a Replace whose reader failed after %d bytes changed data", n)
				}
			}
		})
	}
}

// Take judges existence from the dumps: every missing key of the selection
// is named, including one the database cannot even parse as the column's
// type, and nothing is written to the store's manifests.
func TestTakeNamesEveryUnknownPartition(t *testing.T) {
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			_, s, table := ordersDB(t, md)
			store, err := snapshot.NewDirStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer store.(io.Closer).Close()
			sel := []snapshot.Partition{{Table: table, Key: "1"}, {Table: table, Key: "42"}, {Table: table, Key: "abc"}}
			_, err = snapshot.Take(context.Background(), s, store, sel)
			if !errors.Is(err, snapshot.ErrUnknownPartition) {
				t.Fatalf("Take = %v, want ErrUnknownPartition", err)
			}
			for _, k := range []string{`"42"`, `"abc"`} {
				if !strings.Contains(err.Error(), k) {
					t.Errorf("error %q does not name partition %s", err, k)
				}
			}
			if keys, _ := store.List(context.Background(), "manifests/"); len(keys) != 0 {
				t.Errorf("manifests written: %q", keys)
			}
		})
	}
}
