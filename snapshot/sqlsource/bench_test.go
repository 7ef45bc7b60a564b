package sqlsource

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/internal/testenv"
	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
	"github.com/klauspost/compress/zstd"
)

// The benchmarks compare sqlsource (and snapshot.Take/Restore/Check on top
// of it) with PostgreSQL's own tools, side by side in each iteration, on
// the same 2M rows of 1,000 tenants in two layouts:
//
//	clustered    tenant = (g-1)/2000+1: each tenant's rows are contiguous
//	interleaved  tenant = (g-1)%1000+1: each tenant's rows are spread over the whole table
//
// The tables live in schema sqlsource_bench and are built once (with
// generate_series) and reused by later benchmark processes while they still
// hold benchRows rows. Run with, for example:
//
//	source .ci/services && go test -run '^$' -bench . -benchtime 3x ./snapshot/sqlsource/
const (
	benchRows    = 2_000_000
	benchTenants = 1000
	benchSchema  = "sqlsource_bench"
)

var layouts = []struct{ name, tenant string }{
	{"clustered", "(g - 1) / 2000 + 1"},
	{"interleaved", "(g - 1) % 1000 + 1"},
}

const benchColumns = `tenant integer NOT NULL, id bigint NOT NULL, sku text NOT NULL, qty integer,
	price numeric(10,2), note text, created timestamptz, PRIMARY KEY (tenant, id)`

var (
	benchMu    sync.Mutex
	benchReady = map[string]bool{}
)

// benchTable returns a connection to the benchmark data and the table's
// qualified name, building the table if this process has not seen it yet.
func benchTable(b *testing.B, layout, tenantExpr string) (*sql.DB, string, string) {
	b.Helper()
	dsn := testenv.PostgresDSN(b)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	table := benchSchema + "." + layout
	benchMu.Lock()
	defer benchMu.Unlock()
	if benchReady[table] {
		return db, table, dsn
	}
	var n int64
	err = db.QueryRow("SELECT count(*) FROM " + table).Scan(&n)
	if err != nil || n != benchRows {
		began := time.Now()
		mustExec(b, db, "CREATE SCHEMA IF NOT EXISTS "+benchSchema,
			"DROP TABLE IF EXISTS "+table,
			"CREATE TABLE "+table+" ("+benchColumns+")",
			fmt.Sprintf(`INSERT INTO %s SELECT %s, g, 'SKU-' || g, g %% 97, (g %% 100000) / 100.0, md5(g::text),
				timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
				FROM generate_series(1, %d) g`, table, tenantExpr, benchRows),
			"VACUUM ANALYZE "+table)
		b.Logf("built %s (%d rows) in %v", table, benchRows, time.Since(began).Round(time.Millisecond))
	}
	benchReady[table] = true
	return db, table, dsn
}

// benchSelection is 100 tenants spread over the 1,000.
func benchSelection(table string) ([]snapshot.Partition, string) {
	var ps []snapshot.Partition
	var in []string
	for t := 5; t <= benchTenants; t += 10 {
		ps = append(ps, snapshot.Partition{Table: table, Key: fmt.Sprint(t)})
		in = append(in, fmt.Sprint(t))
	}
	return ps, strings.Join(in, ",")
}

// psqlCopy runs the baseline: psql \copy (SELECT … WHERE tenant IN …) TO /dev/null.
func psqlCopy(b *testing.B, dsn, table, in string) time.Duration {
	b.Helper()
	began := time.Now()
	cmd := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c",
		fmt.Sprintf(`\copy (SELECT * FROM %s WHERE tenant IN (%s)) TO '/dev/null'`, table, in))
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("psql: %v\n%s", err, out)
	}
	return time.Since(began)
}

// psqlZstd runs the peer that also compresses and stores: psql \copy (SELECT
// … WHERE tenant IN …) TO PROGRAM 'zstd -1 -q -o file'.
func psqlZstd(b *testing.B, dsn, table, in string) time.Duration {
	b.Helper()
	out := filepath.Join(b.TempDir(), "copy.zst")
	began := time.Now()
	cmd := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c",
		fmt.Sprintf(`\copy (SELECT * FROM %s WHERE tenant IN (%s)) TO PROGRAM 'zstd -1 -q -f -o %s'`, table, in, out))
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("psql | zstd: %v\n%s", err, out)
	}
	return time.Since(began)
}

func rate(rows int64, d time.Duration) float64 { return float64(rows) / d.Seconds() }

// BenchmarkDump100 dumps 100 tenants one after another through the COPY
// path, the generic keyset path, and COPY with SHA-256 and zstd (default
// and fastest levels, one encoder goroutine), against psql \copy of the
// same rows in one statement.
func BenchmarkDump100(b *testing.B) {
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			db, table, dsn := benchTable(b, l.name, l.tenant)
			sel, in := benchSelection(table)
			fast := mustNew(b, db, Table(table, "tenant"))
			slow := mustNew(b, db, Table(table, "tenant"), withCopy(false))
			enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
			if err != nil {
				b.Fatal(err)
			}
			fastest, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			var tPsql, tCopy, tGeneric, tHashed, tFastest time.Duration
			var rows int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tPsql += psqlCopy(b, dsn, table, in)
				began := time.Now()
				rows = 0
				for _, p := range sel {
					n, err := fast.Dump(ctx, p, io.Discard)
					if err != nil {
						b.Fatal(err)
					}
					rows += n
				}
				tCopy += time.Since(began)
				began = time.Now()
				for _, p := range sel {
					if _, err := slow.Dump(ctx, p, io.Discard); err != nil {
						b.Fatal(err)
					}
				}
				tGeneric += time.Since(began)
				tHashed += dumpHashedCompressed(ctx, b, fast, sel, enc)
				tFastest += dumpHashedCompressed(ctx, b, fast, sel, fastest)
			}
			b.StopTimer()
			psql := rate(rows*int64(b.N), tPsql)
			b.ReportMetric(psql, "psql-rows/s")
			b.ReportMetric(rate(rows*int64(b.N), tCopy), "copy-rows/s")
			b.ReportMetric(rate(rows*int64(b.N), tGeneric), "generic-rows/s")
			b.ReportMetric(rate(rows*int64(b.N), tCopy)/psql, "copy/psql")
			b.ReportMetric(rate(rows*int64(b.N), tGeneric)/psql, "generic/psql")
			b.ReportMetric(rate(rows*int64(b.N), tHashed)/psql, "copy+sha+zstd/psql")
			b.ReportMetric(rate(rows*int64(b.N), tFastest)/psql, "copy+sha+zstd-fastest/psql")
		})
	}
}

// BenchmarkTake100 takes a snapshot of 100 tenants into a fresh DirStore
// (dump, SHA-256, zstd, content-addressed chunks, manifest) against psql
// \copy of the same rows, with one worker and with the default parallelism,
// and into an in-memory store with one worker (no file system at all);
// take/psql-zstd is the default Take against psql \copy TO PROGRAM
// 'zstd -1', a peer that also compresses and stores.
// Each iteration runs psql and the three Takes side by side; the ratios
// reported are medians over the iterations, which a single slow run on a
// shared machine does not move.
func BenchmarkTake100(b *testing.B) {
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			db, table, dsn := benchTable(b, l.name, l.tenant)
			sel, in := benchSelection(table)
			src := mustNew(b, db, Table(table, "tenant"))
			ctx := context.Background()
			psqlCopy(b, dsn, table, in) // warm both caches before timing
			var ratios [3][]float64
			var takeRate, zstdRatio []float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tPsql := psqlCopy(b, dsn, table, in)
				tZstd := psqlZstd(b, dsn, table, in)
				for v := range ratios {
					var store snapshot.Store = storetest.NewMemStore()
					if v < 2 {
						ds, err := snapshot.NewDirStore(benchStoreDir(b))
						if err != nil {
							b.Fatal(err)
						}
						store = ds
					}
					opts := []snapshot.TakeOption{}
					if v != 1 {
						opts = append(opts, snapshot.Parallelism(1))
					}
					began := time.Now()
					m, err := snapshot.Take(ctx, src, store, sel, opts...)
					if err != nil {
						b.Fatal(err)
					}
					took := time.Since(began)
					ratios[v] = append(ratios[v], tPsql.Seconds()/took.Seconds())
					if v == 1 {
						takeRate = append(takeRate, rate(m.Rows, took))
						zstdRatio = append(zstdRatio, tZstd.Seconds()/took.Seconds())
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(median(takeRate), "take-rows/s")
			b.ReportMetric(median(ratios[0]), "take1/psql")
			b.ReportMetric(median(ratios[1]), "take/psql")
			b.ReportMetric(median(ratios[2]), "take1-mem/psql")
			b.ReportMetric(median(zstdRatio), "take/psql-zstd")
		})
	}
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// benchStores holds the DirStores of every benchmark in this process. It is
// removed only when the process ends: on ext4 without a journal, inodes
// freed in the last ~30 s are skipped when new files are created, so a
// harness that deletes thousands of chunk files between two benchmarks
// measures its own cleanup in the second.
var benchStores struct {
	once sync.Once
	dir  string
	err  error
}

func benchStoreDir(b *testing.B) string {
	b.Helper()
	benchStores.once.Do(func() { benchStores.dir, benchStores.err = os.MkdirTemp("", "sqlsource-bench-") })
	if benchStores.err != nil {
		b.Fatal(benchStores.err)
	}
	dir, err := os.MkdirTemp(benchStores.dir, "store-")
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkCheck1000 measures the post-deploy invariant check over all
// 1,000 tenants: Counts alone (one grouped query) and snapshot.Check with
// RowCountDrop against a snapshot of every tenant (taken once).
func BenchmarkCheck1000(b *testing.B) {
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			db, table, _ := benchTable(b, l.name, l.tenant)
			src := mustNew(b, db, Table(table, "tenant"))
			ctx := context.Background()
			keys := make([]string, benchTenants)
			sel := make([]snapshot.Partition, benchTenants)
			for i := range keys {
				keys[i] = fmt.Sprint(i + 1)
				sel[i] = snapshot.Partition{Table: table, Key: keys[i]}
			}
			store, err := snapshot.NewDirStore(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			m, err := snapshot.Take(ctx, src, store, sel)
			if err != nil {
				b.Fatal(err)
			}
			var tCounts, tCheck time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				began := time.Now()
				c, err := src.Counts(ctx, table, keys)
				if err != nil || len(c) != benchTenants || c["1"] != benchRows/benchTenants {
					b.Fatalf("Counts: %d keys, tenant 1 has %d, %v", len(c), c["1"], err)
				}
				tCounts += time.Since(began)
				began = time.Now()
				v, err := snapshot.Check(ctx, src, m, snapshot.RowCountDrop(0.1))
				if err != nil || len(v) != 0 {
					b.Fatalf("Check: %v, %v", v, err)
				}
				tCheck += time.Since(began)
			}
			b.StopTimer()
			b.ReportMetric(float64(tCounts.Milliseconds())/float64(b.N), "counts-ms")
			b.ReportMetric(float64(tCheck.Milliseconds())/float64(b.N), "check-ms")
		})
	}
}

// BenchmarkResnapshot100 takes the same 100 tenants again, unchanged, into
// the store that already holds them, and reports the new bytes written as
// a percentage of the snapshot's stored bytes.
func BenchmarkResnapshot100(b *testing.B) {
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			db, table, _ := benchTable(b, l.name, l.tenant)
			sel, _ := benchSelection(table)
			src := mustNew(b, db, Table(table, "tenant"))
			ctx := context.Background()
			dir := b.TempDir()
			store, err := snapshot.NewDirStore(dir)
			if err != nil {
				b.Fatal(err)
			}
			first, err := snapshot.Take(ctx, src, store, sel)
			if err != nil {
				b.Fatal(err)
			}
			var newBytes, manifest int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m, err := snapshot.Take(ctx, src, store, sel, snapshot.ID(fmt.Sprintf("again-%d-%d", time.Now().UnixNano(), i)))
				if err != nil {
					b.Fatal(err)
				}
				newBytes += m.NewBytes
				manifest += manifestSize(b, dir, m.ID)
			}
			b.StopTimer()
			stored := float64(first.StoredBytes)
			b.ReportMetric(100*float64(newBytes)/float64(b.N)/stored, "new-chunk-bytes-%")
			b.ReportMetric(100*float64(newBytes+manifest)/float64(b.N)/stored, "new-bytes-with-manifest-%")
			b.ReportMetric(float64(first.StoredBytes), "stored-bytes")
		})
	}
}

func manifestSize(b *testing.B, dir, id string) int64 {
	b.Helper()
	fi, err := os.Stat(filepath.Join(dir, "manifests", id+".json.zst"))
	if err != nil {
		b.Fatalf("manifest of %s: %v", id, err)
	}
	return fi.Size()
}

// dumpHashedCompressed dumps each partition through SHA-256 and enc, as
// Take does before chunking, and returns the time it took.
func dumpHashedCompressed(ctx context.Context, b *testing.B, src *Source, sel []snapshot.Partition, enc *zstd.Encoder) time.Duration {
	b.Helper()
	began := time.Now()
	for _, p := range sel {
		h := sha256.New()
		enc.Reset(io.Discard)
		if _, err := src.Dump(ctx, p, io.MultiWriter(h, enc)); err != nil {
			b.Fatal(err)
		}
		if err := enc.Close(); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(began)
}
