package sqlsource

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/snapshot"
)

var (
	pgRestoreOnce sync.Once
	pgRestoreDSN  string
	pgRestoreErr  error
)

// restoreDB is a second database where pg_restore loads the whole table
// into an empty copy of it.
func restoreDB(b *testing.B, db *sql.DB, dsn string) string {
	b.Helper()
	pgRestoreOnce.Do(func() {
		var exists bool
		if pgRestoreErr = db.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'sqlsource_bench_restore')`).Scan(&exists); pgRestoreErr != nil {
			return
		}
		if !exists {
			if _, pgRestoreErr = db.Exec(`CREATE DATABASE sqlsource_bench_restore`); pgRestoreErr != nil {
				return
			}
		}
		u, err := url.Parse(dsn)
		if err != nil {
			pgRestoreErr = err
			return
		}
		u.Path = "/sqlsource_bench_restore"
		pgRestoreDSN = u.String()
	})
	if pgRestoreErr != nil {
		b.Fatal(pgRestoreErr)
	}
	return pgRestoreDSN
}

// damages are what a bad deploy did to the 100 restored tenants before
// each timed Restore, in this order, from a fresh copy of the layout:
// nothing (a tenant restored as a precaution), the incident's "decrease in
// imported products" (40% of each tenant's rows gone, 5% changed), and
// every row gone. Damage is followed by a VACUUM, as autovacuum would have
// run in the hours before a restore.
var damages = []struct{ name, sql string }{
	{"undamaged", ""},
	{"lost40", "DELETE FROM %[1]s WHERE tenant IN (%[2]s) AND id %% 5 < 2; UPDATE %[1]s SET qty = qty + 1 WHERE tenant IN (%[2]s) AND id %% 20 = 2"},
	{"wiped", "DELETE FROM %[1]s WHERE tenant IN (%[2]s)"},
}

// BenchmarkRestore100 restores 100 tenants from a snapshot with one worker
// (each partition in one transaction: read the live rows, delete and load
// what differs, re-dump through SHA-256, verify, commit) against
// pg_restore --data-only of the whole table (pg_dump -Fc once) into an
// empty copy, also one worker. Rows per second per worker: for Restore, the
// 200,000 rows of the restored partitions, whatever the damage.
//
// Restore works on a copy of the layout, rebuilt every iteration, so that
// the Take benchmarks' tables keep their layout and no iteration inherits
// the previous one's bloat or row order.
func BenchmarkRestore100(b *testing.B) {
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			db, source, dsn := benchTable(b, l.name, l.tenant)
			table := source + "_restore"
			rebuild := func() {
				mustExec(b, db, "DROP TABLE IF EXISTS "+table, "CREATE TABLE "+table+" ("+benchColumns+")",
					"INSERT INTO "+table+" SELECT * FROM "+source, "VACUUM ANALYZE "+table)
			}
			rebuild()
			sel, in := benchSelection(table)
			src := mustNew(b, db, Table(table, "tenant"))
			ctx := context.Background()
			store, err := snapshot.NewDirStore(benchStoreDir(b))
			if err != nil {
				b.Fatal(err)
			}
			m, err := snapshot.Take(ctx, src, store, sel)
			if err != nil {
				b.Fatal(err)
			}
			dumpFile := filepath.Join(b.TempDir(), "table.dump")
			if out, err := exec.Command("pg_dump", "-Fc", "-t", source, "-f", dumpFile, "-d", dsn).CombinedOutput(); err != nil {
				b.Fatalf("pg_dump: %v\n%s", err, out)
			}
			rdsn := restoreDB(b, db, dsn)
			rdb, err := sql.Open("pgx", rdsn)
			if err != nil {
				b.Fatal(err)
			}
			defer rdb.Close()
			mustExec(b, rdb, "CREATE SCHEMA IF NOT EXISTS "+benchSchema, "DROP TABLE IF EXISTS "+source,
				"CREATE TABLE "+source+" ("+benchColumns+")")
			var tPg time.Duration
			tOurs := make([]time.Duration, len(damages))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if i > 0 {
					rebuild()
				}
				mustExec(b, rdb, "TRUNCATE "+source)
				b.StartTimer()
				began := time.Now()
				if out, err := exec.Command("pg_restore", "--data-only", "-d", rdsn, dumpFile).CombinedOutput(); err != nil {
					b.Fatalf("pg_restore: %v\n%s", err, out)
				}
				tPg += time.Since(began)
				for d, dmg := range damages {
					if dmg.sql != "" {
						b.StopTimer()
						mustExec(b, db, fmt.Sprintf(dmg.sql, table, in), "VACUUM "+table)
						b.StartTimer()
					}
					began = time.Now()
					res, err := snapshot.Restore(ctx, src, store, m, sel, snapshot.Parallelism(1),
						snapshot.ID(fmt.Sprintf("bench-%d-%d-%d", time.Now().UnixNano(), i, d)))
					if err != nil {
						b.Fatal(err)
					}
					tOurs[d] += time.Since(began)
					if len(res.Restored) != len(sel) {
						b.Fatalf("%s: restored %d partitions, want %d", dmg.name, len(res.Restored), len(sel))
					}
				}
			}
			b.StopTimer()
			pg := rate(benchRows*int64(b.N), tPg)
			b.ReportMetric(pg, "pg_restore-rows/s")
			for d, dmg := range damages {
				b.ReportMetric(rate(m.Rows*int64(b.N), tOurs[d])/pg, dmg.name+"/pg_restore")
			}
		})
	}
}
