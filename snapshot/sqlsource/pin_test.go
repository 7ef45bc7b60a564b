package sqlsource

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
)

// teeSource records every row Take dumps, through the pinned view when the
// Source has one.
type teeSource struct {
	*Source
	mu   sync.Mutex
	rows map[snapshot.Partition][]byte
}

func (s *teeSource) Pin(ctx context.Context) (func(context.Context, snapshot.Partition, io.Writer) (int64, error), string, func(), error) {
	dump, moment, release, err := s.Source.Pin(ctx)
	if err != nil {
		return nil, "", nil, err
	}
	return func(ctx context.Context, p snapshot.Partition, w io.Writer) (int64, error) {
		return s.tee(ctx, dump, p, w)
	}, moment, release, nil
}

func (s *teeSource) Dump(ctx context.Context, p snapshot.Partition, w io.Writer) (int64, error) {
	return s.tee(ctx, s.Source.Dump, p, w)
}

func (s *teeSource) tee(ctx context.Context, dump func(context.Context, snapshot.Partition, io.Writer) (int64, error), p snapshot.Partition, w io.Writer) (int64, error) {
	var buf bytes.Buffer
	n, err := dump(ctx, p, io.MultiWriter(w, &buf))
	s.mu.Lock()
	s.rows[p] = buf.Bytes()
	s.mu.Unlock()
	return n, err
}

// TestTakeReadsOneMoment: a writer commits orders with their three items in
// one transaction while Take snapshots orders and order_items of four sites
// at parallelism 1, 2 and 8. Read partition by partition, a snapshot holds
// items whose order it lacks or orders without items; read from one
// exported snapshot, every order has exactly its three items, in every Take.
func TestTakeReadsOneMoment(t *testing.T) {
	for _, m := range []struct {
		name string
		open func(t *testing.T) (*teeSource, string, func(context.Context, int) error)
	}{
		{"postgres", func(t *testing.T) (*teeSource, string, func(context.Context, int) error) {
			db, schema := pgDB(t)
			return shopWriter(t, db, schema+".")
		}},
		{"sqlite", func(t *testing.T) (*teeSource, string, func(context.Context, int) error) {
			db := sqliteDB(t)
			mustExec(t, db, "PRAGMA journal_mode = WAL", "PRAGMA synchronous = OFF")
			return shopWriter(t, db, "")
		}},
	} {
		t.Run(m.name, func(t *testing.T) {
			src, prefix, write := m.open(t)
			var sel []snapshot.Partition
			for site := 1; site <= 4; site++ {
				for _, tb := range []string{"orders", "order_items"} {
					sel = append(sel, snapshot.Partition{Table: prefix + tb, Key: fmt.Sprint(site)})
				}
			}
			ctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			var werr error
			var written atomic.Int64
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 1; ctx.Err() == nil; i++ {
					if err := write(ctx, i); err != nil && ctx.Err() == nil {
						werr = err
						return
					}
					written.Add(1)
					// Paced, so that Takes progress beside it (SQLite's
					// WAL grows behind a long reader).
					time.Sleep(time.Millisecond)
				}
			}()
			takes := 0
			for _, par := range []int{1, 2, 8} {
				for range 20 {
					src.rows = map[snapshot.Partition][]byte{}
					store := storetest.NewMemStore()
					m, err := snapshot.Take(context.Background(), src, store, sel, snapshot.Parallelism(par))
					if err != nil {
						t.Fatalf("Take at parallelism %d: %v", par, err)
					}
					if loaded, err := snapshot.LoadManifest(context.Background(), store, m.ID); err != nil || loaded.Moment != m.Moment || m.Moment == "" {
						t.Fatalf("manifest moment %q, stored %v (%v): want one, kept", m.Moment, loaded, err)
					}
					takes++
					for site := 1; site <= 4; site++ {
						key := fmt.Sprint(site)
						if bad := orphans(src.rows[snapshot.Partition{Table: prefix + "orders", Key: key}],
							src.rows[snapshot.Partition{Table: prefix + "order_items", Key: key}]); bad != "" {
							t.Fatalf("Take %d at parallelism %d, site %s: %s", takes, par, key, bad)
						}
					}
				}
			}
			stop()
			wg.Wait()
			if werr != nil {
				t.Fatal(werr)
			}
			if written.Load() < 10 {
				t.Fatalf("the writer committed only %d orders during %d Takes: the test proved nothing", written.Load(), takes)
			}
		})
	}
}

// shopWriter creates orders(site_id, id) and order_items(site_id, order_id,
// n) with 4 sites of 100 orders of 3 items, and returns a Source over both
// and a function that commits, in one transaction, order 10000+i with its
// items and the removal of order 10000+i-400 with its items.
func shopWriter(t *testing.T, db *sql.DB, prefix string) (*teeSource, string, func(context.Context, int) error) {
	t.Helper()
	orders, items := prefix+"orders", prefix+"order_items"
	mustExec(t, db,
		"CREATE TABLE "+orders+" (site_id INTEGER NOT NULL, id INTEGER PRIMARY KEY)",
		"CREATE TABLE "+items+" (site_id INTEGER NOT NULL, order_id INTEGER NOT NULL REFERENCES "+orders+" (id), n INTEGER NOT NULL, PRIMARY KEY (order_id, n))")
	var b strings.Builder
	for id := 9601; id <= 10000; id++ {
		fmt.Fprintf(&b, "INSERT INTO %s VALUES (%d, %d);", orders, id%4+1, id)
		fmt.Fprintf(&b, "INSERT INTO %s VALUES (%d, %d, 1), (%[2]d, %[3]d, 2), (%[2]d, %[3]d, 3);", items, id%4+1, id)
	}
	mustExec(t, db, b.String())
	write := func(ctx context.Context, i int) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		id, site := 10000+i, i%4+1
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s VALUES (%d, %d)", orders, site, id)); err != nil {
			return err
		}
		for n := 1; n <= 3; n++ {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s VALUES (%d, %d, %d)", items, site, id, n)); err != nil {
				return err
			}
		}
		// An order leaves with its items, so the tables stay the same size.
		for _, q := range []string{"DELETE FROM %s WHERE order_id = %d", "DELETE FROM %s WHERE id = %d"} {
			tb := items
			if strings.Contains(q, "id =") && !strings.Contains(q, "order_id") {
				tb = orders
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(q, tb, id-400)); err != nil {
				return err
			}
		}
		return tx.Commit()
	}
	src := &teeSource{Source: mustNew(t, db, Table(orders, "site_id"), Table(items, "site_id"))}
	return src, prefix, write
}

// orphans says what is inconsistent between one site's orders and items
// dumps (COPY text: site_id, id / site_id, order_id, n): an item without its
// order, or an order without exactly three items; "" when nothing is.
func orphans(orders, items []byte) string {
	count := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(string(orders), "\n"), "\n") {
		if f := strings.Split(line, "\t"); len(f) == 2 {
			count[f[1]] += 0
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(items), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue
		}
		if _, ok := count[f[1]]; !ok {
			return fmt.Sprintf("item %s/%s of an order the snapshot does not have", f[1], f[2])
		}
		count[f[1]]++
	}
	if len(count) != 100 {
		return fmt.Sprintf("%d orders, want 100", len(count))
	}
	for id, n := range count {
		if n != 3 {
			return fmt.Sprintf("order %s has %d items, want 3", id, n)
		}
	}
	return ""
}

// TestTakeOneMomentOnOneConnection: the view holds connections; a pool of
// one must still take (parallel workers wait for the one reader) and still
// name a mistyped tenant, which is judged once the view is closed.
func TestTakeOneMomentOnOneConnection(t *testing.T) {
	db, schema := pgDB(t)
	src, prefix, _ := shopWriter(t, db, schema+".")
	db.SetMaxOpenConns(1)
	store := storetest.NewMemStore()
	sel := []snapshot.Partition{{Table: prefix + "orders", Key: "1"}, {Table: prefix + "order_items", Key: "1"}}
	src.rows = map[snapshot.Partition][]byte{}
	if _, err := snapshot.Take(context.Background(), src.Source, store, sel, snapshot.Parallelism(4)); err != nil {
		t.Fatalf("Take on a pool of one connection: %v", err)
	}
	sel = append(sel, snapshot.Partition{Table: prefix + "orders", Key: "77"})
	_, err := snapshot.Take(context.Background(), src.Source, store, sel, snapshot.Parallelism(4))
	if !errors.Is(err, snapshot.ErrUnknownPartition) || !strings.Contains(err.Error(), `"77"`) {
		t.Fatalf("Take of a missing tenant on one connection: %v, want ErrUnknownPartition naming \"77\"", err)
	}
}
