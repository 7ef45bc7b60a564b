package sqlsource

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/snapshot"
)

// BenchmarkRestoreOncall100 measures what an on-call engineer can do on
// the bad day against what deploysafe does, on the same damaged tenants
// (100 tenants, 40% of their rows lost, 5% changed), one worker:
//
//	hand      a hand-written psql script: per tenant BEGIN; DELETE FROM t
//	          WHERE tenant = …; \copy t FROM file; COMMIT; no verification.
//	          The files hold the snapshot's rows, written before timing.
//	restore   snapshot.Restore, every partition verified by count and digest.
//	process   the same Restore call in a fresh process (this test binary,
//	          re-executed): what any one-shot program pays, a new
//	          connection and a cold heap, without the command's code.
//	command   `deploysafe snapshot restore --apply --parallel 1` as a
//	          subprocess (built once with go build), the same work.
//	rehearse  snapshot.Verify with Rehearsal into scratch tables of the
//	          same database, one worker (the live table untouched).
//	pg_restore --data-only of the whole table into an empty copy: a
//	          reference only, since no one may empty the live table.
//
// Each iteration rebuilds the layout's copy once, then damages it before
// each of hand, restore and command; the order of those three rotates
// with the iteration, so none always runs on the freshest table. Ratios
// are per iteration, reported as medians.
func BenchmarkRestoreOncall100(b *testing.B) {
	bin := buildCommand(b)
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			db, source, dsn := benchTable(b, l.name, l.tenant)
			table := source + "_oncall"
			rebuild := func() {
				mustExec(b, db, "DROP TABLE IF EXISTS "+table, "CREATE TABLE "+table+" ("+benchColumns+")",
					"INSERT INTO "+table+" SELECT * FROM "+source, "VACUUM ANALYZE "+table)
			}
			rebuild()
			sel, in := benchSelection(table)
			keys := make([]string, len(sel))
			for i, p := range sel {
				keys[i] = p.Key
			}
			src := mustNew(b, db, Table(table, "tenant"))
			ctx := context.Background()
			storeDir := benchStoreDir(b)
			store, err := snapshot.NewDirStore(storeDir)
			if err != nil {
				b.Fatal(err)
			}
			m, err := snapshot.Take(ctx, src, store, sel)
			if err != nil {
				b.Fatal(err)
			}
			script := handScript(b, dsn, table, keys)
			dumpFile := filepath.Join(b.TempDir(), "table.dump")
			if out, err := exec.Command("pg_dump", "-Fc", "-t", source, "-f", dumpFile, "-d", dsn).CombinedOutput(); err != nil {
				b.Fatalf("pg_dump: %v\n%s", err, out)
			}
			rdsn := restoreDB(b, db, dsn)
			damage := func() {
				b.Helper()
				mustExec(b, db, fmt.Sprintf(damages[1].sql, table, in), "VACUUM "+table)
			}
			runs := map[string]func(i int) time.Duration{
				"hand": func(int) time.Duration {
					began := time.Now()
					if out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", script).CombinedOutput(); err != nil {
						b.Fatalf("psql: %v\n%s", err, out)
					}
					return time.Since(began)
				},
				"restore": func(i int) time.Duration {
					began := time.Now()
					p, err := snapshot.Restore(ctx, src, store, m, sel, snapshot.Parallelism(1),
						snapshot.ID(fmt.Sprintf("oncall-lib-%d-%d", time.Now().UnixNano(), i)))
					if err != nil || len(p.Restored) != len(sel) {
						b.Fatalf("Restore: %v", err)
					}
					return time.Since(began)
				},
				"process": func(i int) time.Duration {
					cmd := exec.Command(os.Args[0])
					cmd.Env = append(os.Environ(), restoreChildEnv+"="+strings.Join([]string{dsn, storeDir, m.ID, table,
						strings.Join(keys, ","), fmt.Sprintf("oncall-proc-%d-%d", time.Now().UnixNano(), i)}, "\v"))
					began := time.Now()
					if out, err := cmd.CombinedOutput(); err != nil {
						b.Fatalf("restore in a fresh process: %v\n%s", err, out)
					}
					return time.Since(began)
				},
				"command": func(i int) time.Duration {
					cmd := exec.Command(bin, "snapshot", "restore", "--db", dsn, "--store", storeDir, "--id", m.ID,
						"--keys", strings.Join(keys, ","), "--apply", "--parallel", "1",
						"--restore-id", fmt.Sprintf("oncall-cmd-%d-%d", time.Now().UnixNano(), i))
					began := time.Now()
					if out, err := cmd.CombinedOutput(); err != nil {
						b.Fatalf("deploysafe: %v\n%s", err, out)
					}
					return time.Since(began)
				},
			}
			order := []string{"hand", "restore", "process", "command"}
			var handOurs, cmdLib, cmdProc, rehRestore, pgOurs []float64
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
					assertRestored(b, src, store, m, sel)
				}
				b.StartTimer()
				began := time.Now()
				rep, err := snapshot.Verify(ctx, store, m, snapshot.Rehearsal(src), snapshot.Parallelism(1))
				if err != nil || rep.Rehearsed != len(sel) {
					b.Fatalf("rehearsal: %d rehearsed, %v", rep.Rehearsed, err)
				}
				tReh := time.Since(began)
				tPg := pgRestore(b, rdsn, source, dumpFile)
				b.StopTimer()
				ours := took["restore"].Seconds()
				handOurs = append(handOurs, took["hand"].Seconds()/ours)
				cmdLib = append(cmdLib, took["command"].Seconds()/ours)
				cmdProc = append(cmdProc, took["command"].Seconds()/took["process"].Seconds())
				rehRestore = append(rehRestore, tReh.Seconds()/ours)
				pgOurs = append(pgOurs, tPg.Seconds()/ours)
				b.Logf("iteration %d: hand %v, restore %v, process %v, command %v, rehearse %v, pg_restore (whole table) %v",
					i, took["hand"].Round(time.Millisecond), took["restore"].Round(time.Millisecond), took["process"].Round(time.Millisecond),
					took["command"].Round(time.Millisecond), tReh.Round(time.Millisecond), tPg.Round(time.Millisecond))
			}
			b.ReportMetric(median(handOurs), "hand/ours")
			b.ReportMetric(median(cmdLib), "command/library")
			b.ReportMetric(median(cmdProc), "command/library-fresh-process")
			b.ReportMetric(median(rehRestore), "rehearse/restore")
			b.ReportMetric(median(pgOurs), "pg_restore-whole-table/ours")
		})
	}
}

// handScript writes each tenant's rows, as the snapshot holds them (the
// table is unchanged since the Take), to a file with psql \copy, and the
// on-call script that reloads them tenant by tenant.
func handScript(b *testing.B, dsn, table string, keys []string) string {
	b.Helper()
	dir := b.TempDir()
	var dump, script strings.Builder
	for _, k := range keys {
		file := filepath.Join(dir, "tenant-"+k+".copy")
		fmt.Fprintf(&dump, "\\copy (SELECT * FROM %s WHERE tenant = %s) TO '%s'\n", table, k, file)
		fmt.Fprintf(&script, "BEGIN;\nDELETE FROM %s WHERE tenant = %s;\n\\copy %s FROM '%s'\nCOMMIT;\n", table, k, table, file)
	}
	dumpScript := filepath.Join(dir, "dump.sql")
	restoreScript := filepath.Join(dir, "restore.sql")
	if err := os.WriteFile(dumpScript, []byte(dump.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(restoreScript, []byte(script.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", dumpScript).CombinedOutput(); err != nil {
		b.Fatalf("psql: %v\n%s", err, out)
	}
	return restoreScript
}

// buildCommand builds cmd/deploysafe once into a temporary directory.
func buildCommand(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "deploysafe")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/deploysafe/deploysafe/cmd/deploysafe").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// assertRestored fails unless every selected tenant's rows match the
// snapshot again, whoever restored them.
func assertRestored(b *testing.B, src *Source, store snapshot.Store, m *snapshot.Manifest, sel []snapshot.Partition) {
	b.Helper()
	p, err := snapshot.Diff(context.Background(), src, store, m, sel, snapshot.KeyDiff(1))
	if err != nil {
		b.Fatalf("Diff after a restore: %v", err)
	}
	for _, d := range p.Partitions {
		if d.LiveRows != d.SnapshotRows || d.Added+d.Removed+d.Changed != 0 {
			b.Fatalf("after a restore, %v differs from the snapshot: %+v", d.Partition, d)
		}
	}
}

// pgRestore empties the copy in the other database and times pg_restore
// --data-only of the whole table into it.
func pgRestore(b *testing.B, rdsn, table, dumpFile string) time.Duration {
	b.Helper()
	b.StopTimer()
	rdb, err := sql.Open("pgx", rdsn)
	if err != nil {
		b.Fatal(err)
	}
	defer rdb.Close()
	mustExec(b, rdb, "CREATE SCHEMA IF NOT EXISTS "+benchSchema, "DROP TABLE IF EXISTS "+table,
		"CREATE TABLE "+table+" ("+benchColumns+")")
	b.StartTimer()
	began := time.Now()
	if out, err := exec.Command("pg_restore", "--data-only", "-d", rdsn, dumpFile).CombinedOutput(); err != nil {
		b.Fatalf("pg_restore: %v\n%s", err, out)
	}
	return time.Since(began)
}

// restoreChildEnv carries the arguments of the benchmark's "process" run,
// separated by a vertical tab: dsn, store directory, snapshot ID, table, keys, restore ID.
// TestMain runs restoreChild instead of the tests when it is set.
const restoreChildEnv = "DEPLOYSAFE_BENCH_RESTORE_CHILD"

// restoreChild is the benchmark's "process" run: one Restore, as a program
// of its own would call it.
func restoreChild(spec string) error {
	args := strings.Split(spec, "\v")
	if len(args) != 6 {
		return fmt.Errorf("%s: want 6 fields separated by \\v, got %d", restoreChildEnv, len(args))
	}
	dsn, dir, id, table, keys, rid := args[0], args[1], args[2], args[3], args[4], args[5]
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	src, err := New(db, Table(table, "tenant"))
	if err != nil {
		return err
	}
	store, err := snapshot.NewDirStore(dir)
	if err != nil {
		return err
	}
	ctx := context.Background()
	m, err := snapshot.LoadManifest(ctx, store, id)
	if err != nil {
		return err
	}
	var sel []snapshot.Partition
	for _, k := range strings.Split(keys, ",") {
		sel = append(sel, snapshot.Partition{Table: table, Key: k})
	}
	p, err := snapshot.Restore(ctx, src, store, m, sel, snapshot.Parallelism(1), snapshot.ID(rid))
	if err == nil && len(p.Restored) != len(sel) {
		err = fmt.Errorf("%d of %d partitions restored", len(p.Restored), len(sel))
	}
	return err
}
