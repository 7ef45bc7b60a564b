package sqlsource

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
)

// onePartitionAtATime hides Pin and ReplaceGroup: snapshot then reads and
// restores each partition in its own transaction, as before one moment per
// Take and one transaction per tenant. The A side of the benchmarks below.
type onePartitionAtATime struct{ snapshot.Source }

// BenchmarkTakeMoment: Take of 100 tenants of the 2M-row tables at the
// default parallelism, read from one exported snapshot (pinned) and
// partition by partition, alternating in each iteration. Reports
// pinned ÷ per-partition throughput (goal ≥ 0.95).
func BenchmarkTakeMoment(b *testing.B) {
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			db, table, _ := benchTable(b, l.name, l.tenant)
			sel, _ := benchSelection(table)
			src := mustNew(b, db, Table(table, "tenant"))
			ctx := context.Background()
			take := func(s snapshot.Source) time.Duration {
				began := time.Now()
				if _, err := snapshot.Take(ctx, s, storetest.NewMemStore(), sel); err != nil {
					b.Fatal(err)
				}
				return time.Since(began)
			}
			take(src) // warm the caches
			var ratios []float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var per, pinned time.Duration
				if i%2 == 0 {
					per, pinned = take(onePartitionAtATime{src}), take(src)
				} else {
					pinned, per = take(src), take(onePartitionAtATime{src})
				}
				ratios = append(ratios, per.Seconds()/pinned.Seconds())
			}
			b.StopTimer()
			b.ReportMetric(median(ratios), "pinned/per-partition")
		})
	}
}

// BenchmarkRestoreTenant: 1,000 tenants in orders (2M rows, 2,000 per
// tenant) and order_items (6M rows, 6,000 per tenant), the scale;
// 100 of them are damaged before each
// restore (5% of each table's rows: half updated, half deleted) and
// restored one transaction per tenant (both tables) and one per partition,
// alternating. Reports group ÷ per-partition throughput (goal ≥ 1/1.2).
// The tables are built once (a minute or two) and kept in schema
// sqlsource_bench; each restore repairs what the damage did.
func BenchmarkRestoreTenant(b *testing.B) {
	db, _, _ := benchTable(b, "clustered", layouts[0].tenant) // the schema and a connection
	orders, items := benchSchema+".tenant_orders", benchSchema+".tenant_items"
	var n0, n1 int64
	db.QueryRow("SELECT count(*) FROM " + orders).Scan(&n0)
	db.QueryRow("SELECT count(*) FROM " + items).Scan(&n1)
	if n0 != 2_000_000 || n1 != 6_000_000 {
		mustExec(b, db, "DROP TABLE IF EXISTS "+items, "DROP TABLE IF EXISTS "+orders,
			"CREATE TABLE "+orders+" (tenant int NOT NULL, id bigint PRIMARY KEY, sku text, note text)",
			"CREATE TABLE "+items+" (tenant int NOT NULL, id bigint PRIMARY KEY, order_id bigint NOT NULL, qty int, note text)",
			"INSERT INTO "+orders+" SELECT g % 1000, g, 'SKU-' || g, md5(g::text) FROM generate_series(1, 2000000) g",
			"INSERT INTO "+items+" SELECT (g / 3) % 1000, g, g / 3, g % 7, md5(g::text) FROM generate_series(3, 6000002) g",
			"CREATE INDEX ON "+orders+" (tenant)", "CREATE INDEX ON "+items+" (tenant)",
			"VACUUM ANALYZE "+orders, "VACUUM ANALYZE "+items)
	}
	src := mustNew(b, db, Table(orders, "tenant"), Table(items, "tenant"))
	ctx := context.Background()
	var sel []snapshot.Partition
	var in []string
	for t := 5; t < 1000; t += 10 {
		sel = append(sel, snapshot.Partition{Table: orders, Key: fmt.Sprint(t)}, snapshot.Partition{Table: items, Key: fmt.Sprint(t)})
		in = append(in, fmt.Sprint(t))
	}
	store := storetest.NewMemStore()
	m, err := snapshot.Take(ctx, src, store, sel)
	if err != nil {
		b.Fatal(err)
	}
	// 5% of each selected tenant's rows: ids run through the tenants in
	// blocks of 1,000 (orders) and 3,000 (items), so every 40th block hits
	// every tenant.
	damage := func() {
		for _, t := range []struct {
			table string
			block int
		}{{orders, 1000}, {items, 3000}} {
			mustExec(b, db, fmt.Sprintf("UPDATE %s SET note = 'damaged' WHERE tenant IN (%s) AND (id / %d) %% 40 = 1", t.table, strings.Join(in, ","), t.block),
				fmt.Sprintf("DELETE FROM %s WHERE tenant IN (%s) AND (id / %d) %% 40 = 21", t.table, strings.Join(in, ","), t.block),
				"VACUUM "+t.table)
		}
	}
	n := 0
	restore := func(s snapshot.Source) time.Duration {
		damage()
		n++
		began := time.Now()
		if _, err := snapshot.Restore(ctx, s, store, m, sel, snapshot.ID(fmt.Sprintf("r%d", n))); err != nil {
			b.Fatal(err)
		}
		return time.Since(began)
	}
	restore(src)
	var ratios []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var per, group time.Duration
		if i%2 == 0 {
			per, group = restore(onePartitionAtATime{src}), restore(src)
		} else {
			group, per = restore(src), restore(onePartitionAtATime{src})
		}
		ratios = append(ratios, per.Seconds()/group.Seconds())
	}
	b.StopTimer()
	b.ReportMetric(median(ratios), "group/per-partition")
	if !strings.Contains(m.Moment, "PostgreSQL snapshot") {
		b.Fatalf("moment %q", m.Moment)
	}
}
