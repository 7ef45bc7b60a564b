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

// BenchmarkRestoreTenant: 100 tenants of orders (200 rows each) and
// order_items (600 rows each), 5% of each table's rows of every tenant
// damaged (half updated, half deleted) before each restore; the tenants are
// restored one transaction per tenant (both tables) and one per partition,
// alternating. Reports group ÷ per-partition throughput (goal ≥ 1/1.2).
func BenchmarkRestoreTenant(b *testing.B) {
	db, schema := pgDB(b)
	orders, items := schema+".orders", schema+".order_items"
	mustExec(b, db,
		"CREATE TABLE "+orders+" (tenant int NOT NULL, id bigint PRIMARY KEY, sku text, note text)",
		"CREATE TABLE "+items+" (tenant int NOT NULL, id bigint PRIMARY KEY, order_id bigint NOT NULL, qty int, note text)",
		"INSERT INTO "+orders+" SELECT g % 100, g, 'SKU-' || g, md5(g::text) FROM generate_series(1, 20000) g",
		"INSERT INTO "+items+" SELECT (g / 3) % 100, g, g / 3, g % 7, md5(g::text) FROM generate_series(3, 60002) g",
		"ANALYZE "+orders, "ANALYZE "+items)
	src := mustNew(b, db, Table(orders, "tenant"), Table(items, "tenant"))
	ctx := context.Background()
	var sel []snapshot.Partition
	for t := range 100 {
		sel = append(sel, snapshot.Partition{Table: orders, Key: fmt.Sprint(t)}, snapshot.Partition{Table: items, Key: fmt.Sprint(t)})
	}
	store := storetest.NewMemStore()
	m, err := snapshot.Take(ctx, src, store, sel)
	if err != nil {
		b.Fatal(err)
	}
	// 5% of each tenant's rows: ids run through the tenants in blocks of
	// 100 (orders) and 300 (items), so every 40th block hits every tenant.
	damage := func() {
		for _, t := range []struct {
			table string
			block int
		}{{orders, 100}, {items, 300}} {
			mustExec(b, db, fmt.Sprintf("UPDATE %s SET note = 'damaged' WHERE (id / %d) %% 40 = 1", t.table, t.block),
				fmt.Sprintf("DELETE FROM %s WHERE (id / %d) %% 40 = 21", t.table, t.block))
		}
	}
	n := 0
	restore := func(s snapshot.Source) time.Duration {
		damage()
		n++
		began := time.Now()
		if _, err := snapshot.Restore(ctx, s, store, m, sel, snapshot.RestoreID(fmt.Sprintf("r%d", n))); err != nil {
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
