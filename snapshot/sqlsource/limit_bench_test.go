package sqlsource

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/snapshot"
)

// BenchmarkRestoreLimit measures a restore against the least work any
// restore must do, on the same damage, one connection each:
//
//	limit   the bare statements, prepared by hand with knowledge of the
//	        damage: in one transaction, DELETE exactly the surplus rows,
//	        UPDATE exactly the changed ones, COPY exactly the missing ones
//	        (their rows in memory, read before timing). No verification.
//	hand    the on-call psql script: per tenant BEGIN; DELETE; \copy; COMMIT.
//	ours    snapshot.Restore, Parallelism(1): every partition diffed with
//	        its live rows, written where it differs, dumped again and
//	        verified by count and SHA-256 before its commit.
//
// Damage d of a tenant's rows: d/2 deleted (id % D = 0), d/2 changed
// (id % D = 1), and as many surplus rows inserted, D = 2/d. Sizes: 100
// tenants of 10,000 rows, and 1 tenant of 1,000,000. The three runs rotate
// their order every iteration; each starts from the same damage.
//
//	go test -run '^$' -bench RestoreLimit -benchtime 3x -timeout 60m ./snapshot/sqlsource/
func BenchmarkRestoreLimit(b *testing.B) {
	sizes := []struct {
		name             string
		tenants, perTent int
	}{{"10k", 100, 10_000}, {"1M", 1, 1_000_000}}
	for _, size := range sizes {
		for _, layout := range []string{"clustered", "interleaved"} {
			if size.tenants == 1 && layout == "interleaved" {
				continue // one tenant has no layout
			}
			for _, dmg := range []struct {
				name string
				d    int
			}{{"0.1%", 2000}, {"5%", 40}, {"100%", 2}} {
				b.Run(size.name+"/"+layout+"/"+dmg.name, func(b *testing.B) {
					benchLimit(b, size.tenants, size.perTent, layout, dmg.d)
				})
			}
		}
	}
}

func benchLimit(b *testing.B, tenants, per int, layout string, d int) {
	db, _, dsn := benchTable(b, "clustered", layouts[0].tenant) // for its schema and connection
	n := tenants * per
	tenant := fmt.Sprintf("(g - 1) / %d + 1", per)
	if layout == "interleaved" {
		tenant = fmt.Sprintf("(g - 1) %% %d + 1", tenants)
	}
	source := fmt.Sprintf("%s.limit_%s_%d", benchSchema, layout, per)
	var have int64
	if err := db.QueryRow("SELECT count(*) FROM " + source).Scan(&have); err != nil || have != int64(n) {
		mustExec(b, db, "DROP TABLE IF EXISTS "+source, "CREATE TABLE "+source+" ("+benchColumns+")",
			fmt.Sprintf(`INSERT INTO %s SELECT %s, g, 'SKU-' || g, g %% 97, (g %% 100000) / 100.0, md5(g::text),
				timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, %d) g`, source, tenant, n),
			"VACUUM ANALYZE "+source)
	}
	table := source + "_work"
	rebuild := func() {
		mustExec(b, db, "DROP TABLE IF EXISTS "+table, "CREATE TABLE "+table+" ("+benchColumns+")",
			"INSERT INTO "+table+" SELECT * FROM "+source, "VACUUM ANALYZE "+table)
	}
	rebuild()
	var sel []snapshot.Partition
	var keys []string
	for t := 1; t <= tenants; t++ {
		sel = append(sel, snapshot.Partition{Table: table, Key: fmt.Sprint(t)})
		keys = append(keys, fmt.Sprint(t))
	}
	ctx := context.Background()
	ours := mustNew(b, db, Table(table, "tenant"))
	store, err := snapshot.NewDirStore(benchStoreDir(b))
	if err != nil {
		b.Fatal(err)
	}
	m, err := snapshot.Take(ctx, ours, store, sel)
	if err != nil {
		b.Fatal(err)
	}
	script := handScript(b, dsn, table, keys)
	var missing bytes.Buffer
	if err := copyOut(ctx, db, fmt.Sprintf("COPY (SELECT * FROM %s WHERE id %% %d = 0) TO STDOUT", table, d), &missing); err != nil {
		b.Fatal(err)
	}
	damage := func() {
		b.Helper()
		mustExec(b, db, fmt.Sprintf("DELETE FROM %s WHERE id %% %d = 0", table, d),
			fmt.Sprintf("UPDATE %s SET qty = qty + 1 WHERE id %% %d = 1", table, d),
			fmt.Sprintf("INSERT INTO %[1]s SELECT tenant, id + 1000000000, sku, qty, price, note, created FROM %[1]s WHERE id %% %[2]d = 1", table, d),
			"VACUUM "+table)
	}
	restore := func(src *Source, name string) func(int) time.Duration {
		return func(i int) time.Duration {
			began := time.Now()
			p, err := snapshot.Restore(ctx, src, store, m, sel, snapshot.Parallelism(1),
				snapshot.ID(fmt.Sprintf("limit-%s-%d-%d", name, time.Now().UnixNano(), i)))
			if err != nil || len(p.Restored) != len(sel) {
				b.Fatalf("Restore (%s): %v", name, err)
			}
			return time.Since(began)
		}
	}
	runs := map[string]func(int) time.Duration{
		"limit": func(int) time.Duration {
			began := time.Now()
			if err := limitScript(ctx, db, table, d, missing.Bytes()); err != nil {
				b.Fatal(err)
			}
			return time.Since(began)
		},
		"hand": func(int) time.Duration {
			began := time.Now()
			if out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", script).CombinedOutput(); err != nil {
				b.Fatalf("psql: %v\n%s", err, out)
			}
			return time.Since(began)
		},
		"ours": restore(ours, "ours"),
	}
	order := []string{"limit", "hand", "ours"}
	var oursLimit, handLimit, handOurs []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if i > 0 {
			rebuild()
		}
		took := map[string]time.Duration{}
		for k := range order {
			name := order[(k+i)%len(order)]
			damage()
			b.StartTimer()
			took[name] = runs[name](i)
			b.StopTimer()
			assertRestored(b, ours, store, m, sel)
		}
		oursLimit = append(oursLimit, took["ours"].Seconds()/took["limit"].Seconds())
		handLimit = append(handLimit, took["hand"].Seconds()/took["limit"].Seconds())
		handOurs = append(handOurs, took["hand"].Seconds()/took["ours"].Seconds())
		b.Logf("iteration %d: limit %v, hand %v, ours %v", i, took["limit"].Round(time.Millisecond),
			took["hand"].Round(time.Millisecond), took["ours"].Round(time.Millisecond))
		b.StartTimer()
	}
	b.ReportMetric(median(oursLimit), "ours/limit")
	b.ReportMetric(median(handLimit), "hand/limit")
	b.ReportMetric(median(handOurs), "hand/ours")
}

// limitScript is the least a restore of the damage must do, in one
// transaction: the surplus rows deleted, the changed rows set back, the
// missing rows copied in.
func limitScript(ctx context.Context, db *sql.DB, table string, d int, missing []byte) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(pgxConner).Conn().PgConn()
		for _, q := range []string{"BEGIN",
			fmt.Sprintf("DELETE FROM %s WHERE id > 1000000000", table),
			fmt.Sprintf("UPDATE %s SET qty = qty - 1 WHERE id %% %d = 1", table, d)} {
			if err := pc.Exec(ctx, q).Close(); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		if _, err := pc.CopyFrom(ctx, bytes.NewReader(missing), "COPY "+table+" FROM STDIN"); err != nil {
			return err
		}
		return pc.Exec(ctx, "COMMIT").Close()
	})
}

// copyOut runs a COPY … TO STDOUT into w.
func copyOut(ctx context.Context, db *sql.DB, q string, w *bytes.Buffer) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		_, err := dc.(pgxConner).Conn().PgConn().CopyTo(ctx, w, q)
		return err
	})
}
