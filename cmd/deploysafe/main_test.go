package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/deploysafe/deploysafe/internal/testenv"
)

// The test binary is the command when DEPLOYSAFE_RUN_MAIN is set: each
// test runs it as a real subprocess, as an operator would.
func TestMain(m *testing.M) {
	if os.Getenv("DEPLOYSAFE_RUN_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

type result struct {
	code           int
	stdout, stderr string
}

// deploysafe runs the command with args and extra environment.
func deploysafe(t testing.TB, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "DEPLOYSAFE_RUN_MAIN=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

func want(t testing.TB, r result, code int, args ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, code, r.stdout, r.stderr)
	}
}

// shopDB makes a SQLite file with tenants site-00… of 50 orders each.
func shopDB(t testing.TB, tenants int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shop.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fill(t, db, "orders", "?", tenants)
	return path, db
}

func fill(t testing.TB, db *sql.DB, table, ph string, tenants int) {
	t.Helper()
	if _, err := db.Exec(`CREATE TABLE ` + table + ` (site TEXT NOT NULL, id INTEGER NOT NULL, note TEXT, PRIMARY KEY (site, id))`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	ins := strings.ReplaceAll(`INSERT INTO `+table+` VALUES (?, ?, ?)`, "?", ph)
	if ph == "$" {
		ins = `INSERT INTO ` + table + ` VALUES ($1, $2, $3)`
	}
	for s := range tenants {
		for id := range 50 {
			if _, err := tx.Exec(ins, fmt.Sprintf("site-%02d", s), id, fmt.Sprintf("order %d of site %d", id, s)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func rows(t testing.TB, db *sql.DB, table, q string) string {
	t.Helper()
	r, err := db.Query(`SELECT site, id, coalesce(note, 'NULL') FROM ` + table + ` ` + q + ` ORDER BY site, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var b strings.Builder
	for r.Next() {
		var s, n string
		var id int
		if err := r.Scan(&s, &id, &n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %s\n", s, id, n)
	}
	return b.String()
}

func TestSQLiteEndToEnd(t *testing.T) {
	dbPath, db := shopDB(t, 6)
	store := filepath.Join(t.TempDir(), "snapshots")
	common := []string{"--db", dbPath, "--store", store}
	const hit = "WHERE site IN ('site-01', 'site-04')"
	snap := rows(t, db, "orders", hit)

	r := deploysafe(t, nil, append([]string{"snapshot", "take", "--table", "orders:site", "--all", "--id", "pre-deploy"}, common...)...)
	want(t, r, 0, "take")
	if !strings.Contains(r.stdout, "snapshot pre-deploy: 6 partitions, 300 rows") {
		t.Errorf("take printed %q", r.stdout)
	}
	r = deploysafe(t, nil, "snapshot", "list", "--store", store)
	want(t, r, 0, "list")
	if lines := strings.Split(r.stdout, "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "ID ") ||
		!strings.Contains(lines[1], "pre-deploy  ") || !strings.Contains(lines[1], " 6  ") || !strings.Contains(lines[1], " 300  ") ||
		!strings.Contains(lines[1], time.Now().UTC().Format("2006-01-02T")) {
		t.Errorf("list printed %q, want a header and pre-deploy with its time, 6 partitions, 300 rows and size", r.stdout)
	}
	r = deploysafe(t, nil, "snapshot", "verify", "--store", store, "--id", "pre-deploy", "--json")
	want(t, r, 0, "verify")
	var v struct {
		OK         bool
		Partitions int
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || !v.OK || v.Partitions != 6 {
		t.Errorf("verify --json = %q (%v)", r.stdout, err)
	}

	// The bad deploy: two sites lose most of their orders, one gains a note.
	if _, err := db.Exec(`DELETE FROM orders WHERE site IN ('site-01', 'site-04') AND id > 5; UPDATE orders SET note = 'x' WHERE site = 'site-03'`); err != nil {
		t.Fatal(err)
	}
	damaged := rows(t, db, "orders", "")
	r = deploysafe(t, nil, append([]string{"snapshot", "check", "--id", "pre-deploy"}, common...)...)
	want(t, r, 1, "check")
	if strings.Count(r.stdout, "\n") != 2 || !strings.Contains(r.stdout, "orders/site-01") || !strings.Contains(r.stdout, "orders/site-04") {
		t.Errorf("check printed %q, want the two damaged sites", r.stdout)
	}
	// Counts alone miss site-03's changed rows; --unchanged compares them.
	r = deploysafe(t, nil, append([]string{"snapshot", "check", "--id", "pre-deploy", "--unchanged"}, common...)...)
	want(t, r, 1, "check --unchanged")
	if !strings.Contains(r.stdout, "orders/site-03") || strings.Contains(r.stdout, "orders/site-02") {
		t.Errorf("check --unchanged printed %q, want site-03 and not site-02", r.stdout)
	}
	r = deploysafe(t, nil, append([]string{"snapshot", "diff", "--id", "pre-deploy", "--keys", "site-02,site-03"}, common...)...)
	want(t, r, 0, "diff")
	if !regexp.MustCompile(`orders/site-02 .*nothing to do \(identical\)`).MatchString(r.stdout) ||
		regexp.MustCompile(`orders/site-03 .*nothing to do`).MatchString(r.stdout) {
		t.Errorf("diff printed %q, want site-02 identical and site-03 to restore", r.stdout)
	}
	r = deploysafe(t, nil, append([]string{"snapshot", "restore", "--id", "pre-deploy", "--from-check", "--rows", "2"}, common...)...)
	want(t, r, 0, "restore (dry run)")
	if !strings.Contains(r.stdout, "orders/site-01") || !strings.Contains(r.stdout, "restore") || rows(t, db, "orders", "") != damaged {
		t.Errorf("dry run printed %q or wrote to the database", r.stdout)
	}
	r = deploysafe(t, nil, append([]string{"snapshot", "restore", "--id", "pre-deploy", "--from-check", "--apply"}, common...)...)
	want(t, r, 0, "restore --apply")
	if !strings.Contains(r.stdout, "restored 2, skipped 0") {
		t.Errorf("restore printed %q", r.stdout)
	}
	if got := rows(t, db, "orders", hit); got != snap {
		t.Error("restored sites differ from the snapshot")
	}
	r = deploysafe(t, nil, append([]string{"snapshot", "check", "--id", "pre-deploy"}, common...)...)
	want(t, r, 0, "check after restore")
	// The 2 a.m. rerun: damaged again the same way, the same command
	// restores again instead of skipping what its journal calls done.
	if _, err := db.Exec(`DELETE FROM orders WHERE site IN ('site-01', 'site-04') AND id > 5`); err != nil {
		t.Fatal(err)
	}
	r = deploysafe(t, nil, append([]string{"snapshot", "restore", "--id", "pre-deploy", "--from-check", "--apply"}, common...)...)
	want(t, r, 0, "restore --apply after new damage")
	if !strings.Contains(r.stdout, "restored 2, skipped 0") || rows(t, db, "orders", hit) != snap {
		t.Errorf("rerun after new damage printed %q, sites as the snapshot: %v", r.stdout, rows(t, db, "orders", hit) == snap)
	}
	// site-03 was not selected: its change stays.
	if !strings.Contains(rows(t, db, "orders", "WHERE site = 'site-03'"), " x\n") {
		t.Error("an unselected site was restored")
	}
	r = deploysafe(t, nil, append([]string{"snapshot", "diff", "--id", "pre-deploy", "--keys", "site-03", "--rows", "3"}, common...)...)
	want(t, r, 0, "diff")
	if !strings.Contains(r.stdout, "50 changed") {
		t.Errorf("diff printed %q", r.stdout)
	}
	r = deploysafe(t, nil, "snapshot", "rehearse", "--db", dbPath, "--store", store, "--id", "pre-deploy")
	want(t, r, 0, "rehearse")
	if !strings.Contains(r.stdout, "6 restored into scratch tables and verified") {
		t.Errorf("rehearse printed %q", r.stdout)
	}
	// Retention: a second snapshot, the older forgotten by --keep-last 1,
	// and prune marks the chunks only the forgotten one used.
	want(t, deploysafe(t, nil, append([]string{"snapshot", "take", "--table", "orders:site", "--all", "--id", "later"}, common...)...), 0, "take later")
	r = deploysafe(t, nil, "snapshot", "forget", "--store", store, "--keep-last", "1")
	want(t, r, 0, "forget --keep-last 1")
	if !strings.Contains(r.stdout, "forgot pre-deploy") || strings.Contains(r.stdout, "forgot later") {
		t.Errorf("forget printed %q, want pre-deploy forgotten and later kept", r.stdout)
	}
	r = deploysafe(t, nil, "snapshot", "prune", "--store", store, "--json")
	want(t, r, 0, "prune")
	var pr struct{ Snapshots, Unused, Deleted, Pending int }
	if err := json.Unmarshal([]byte(r.stdout), &pr); err != nil || pr.Snapshots != 1 || pr.Unused == 0 || pr.Deleted != 0 || pr.Pending != pr.Unused {
		t.Errorf("prune --json = %q (%v): want unused chunks marked, none deleted yet", r.stdout, err)
	}
	want(t, deploysafe(t, nil, "snapshot", "verify", "--store", store, "--id", "later"), 0, "verify after prune")
	want(t, deploysafe(t, nil, "snapshot", "forget", "--store", store), 2, "forget without --id")
}

// TestTenantAcrossTables: --key-column finds the tenant's tables (orders
// and lines, lines referencing orders ON DELETE CASCADE), and a
// restore of one tenant restores both tables in one transaction: the
// order the deploy deleted comes back before its lines, the line the
// deploy added goes before its order.
func TestTenantAcrossTables(t *testing.T) {
	dbPath, db := shopDB(t, 3)
	mustSQL := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustSQL(`CREATE TABLE lines (site TEXT NOT NULL, id INTEGER NOT NULL, order_id INTEGER NOT NULL, note TEXT,
		PRIMARY KEY (site, id), FOREIGN KEY (site, order_id) REFERENCES orders (site, id) ON DELETE CASCADE)`)
	mustSQL(`INSERT INTO lines SELECT site, id * 10 + 1, id, 'line' FROM orders`)
	mustSQL(`CREATE TABLE plans (id INTEGER PRIMARY KEY)`)
	store := filepath.Join(t.TempDir(), "snapshots")
	common := []string{"--db", dbPath + "?_pragma=foreign_keys(1)", "--store", store}
	r := deploysafe(t, nil, append([]string{"snapshot", "take", "--key-column", "site", "--all", "--id", "tenants"}, common...)...)
	want(t, r, 0, "take --key-column")
	if !strings.Contains(r.stdout, "6 partitions, 300 rows") {
		t.Fatalf("take printed %q, want orders and lines of 3 sites", r.stdout)
	}
	snapOrders, snapLines := rows(t, db, "orders", "WHERE site = 'site-01'"), rows(t, db, "lines", "WHERE site = 'site-01'")
	mustSQL(`PRAGMA foreign_keys = ON`)
	mustSQL(`DELETE FROM lines WHERE site = 'site-01' AND order_id = 7`)
	mustSQL(`DELETE FROM orders WHERE site = 'site-01' AND id = 7`)
	mustSQL(`INSERT INTO orders VALUES ('site-01', 99, 'new')`)
	mustSQL(`INSERT INTO lines VALUES ('site-01', 991, 99, 'new')`)
	mustSQL(`UPDATE orders SET note = 'x' WHERE site = 'site-01' AND id = 3`)
	r = deploysafe(t, nil, append([]string{"snapshot", "restore", "--id", "tenants", "--keys", "site-01", "--apply"}, common...)...)
	want(t, r, 0, "restore of one tenant across tables")
	if !strings.Contains(r.stdout, "restored 2, skipped 0") {
		t.Errorf("restore printed %q", r.stdout)
	}
	if rows(t, db, "orders", "WHERE site = 'site-01'") != snapOrders || rows(t, db, "lines", "WHERE site = 'site-01'") != snapLines {
		t.Error("site-01 differs from the snapshot after the restore")
	}
	// A restore of orders alone must delete the order the deploy added,
	// whose line is outside it: refused, naming the flag that includes it.
	mustSQL(`INSERT INTO orders VALUES ('site-02', 99, 'new')`)
	mustSQL(`INSERT INTO lines VALUES ('site-02', 991, 99, 'new')`)
	r = deploysafe(t, nil, append([]string{"snapshot", "restore", "--id", "tenants", "--keys", "orders/site-02", "--apply"}, common...)...)
	want(t, r, 1, "restore of orders alone")
	if !strings.Contains(r.stderr, "--include-dependents") {
		t.Errorf("refusal %q does not name --include-dependents", r.stderr)
	}
	r = deploysafe(t, nil, append([]string{"snapshot", "restore", "--id", "tenants", "--keys", "orders/site-02", "--include-dependents", "--apply"}, common...)...)
	want(t, r, 0, "restore --include-dependents")
	if !strings.Contains(r.stdout, "lines/site-02") || !strings.Contains(r.stdout, "(dependent)") || !strings.Contains(r.stdout, "restored 2,") {
		t.Errorf("restore --include-dependents printed %q", r.stdout)
	}
	r = deploysafe(t, nil, append([]string{"snapshot", "take", "--key-column", "nope", "--all"}, common...)...)
	want(t, r, 2, "take --key-column nope")
}

// TestHelp: asking for help is not a mistake: it prints the usage (or the
// subcommand's flags) and exits 0.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"snapshot", "-h"}, {"snapshot", "restore", "-h"}, {"snapshot", "list", "--help"}} {
		r := deploysafe(t, nil, args...)
		want(t, r, 0, args...)
		if out := r.stdout + r.stderr; !strings.Contains(out, "usage") && !strings.Contains(out, "-store") {
			t.Errorf("%v printed %q, want the usage", args, out)
		}
	}
	if r := deploysafe(t, nil, "snapshot", "restore", "-h"); !strings.Contains(r.stderr, "-apply") {
		t.Errorf("restore -h printed %q, want its flags", r.stderr)
	}
}

// TestBadInput: each mistake is one line on stderr, the documented exit
// code, and nothing written.
func TestBadInput(t *testing.T) {
	dbPath, _ := shopDB(t, 2)
	store := filepath.Join(t.TempDir(), "snapshots")
	want(t, deploysafe(t, nil, "snapshot", "take", "--db", dbPath, "--store", store, "--table", "orders:site", "--all", "--id", "s"), 0, "take")
	fresh := filepath.Join(t.TempDir(), "fresh")
	for _, tc := range []struct {
		name string
		code int
		text string
		args []string
	}{
		{"unknown table", 2, "orderz", []string{"take", "--db", dbPath, "--store", fresh, "--table", "orderz:site", "--all"}},
		{"not the partition column", 2, "nope", []string{"take", "--db", dbPath, "--store", fresh, "--table", "orders:nope", "--all"}},
		{"check with another partition column", 2, "partition column is site", []string{"check", "--db", dbPath, "--store", store, "--id", "s", "--table", "orders:id"}},
		{"unreachable database", 2, "unreachable", []string{"take", "--db", "postgres://nobody@127.0.0.1:9/x?connect_timeout=2", "--store", fresh, "--table", "orders:site", "--all"}},
		{"missing database file", 1, "no such file", []string{"check", "--db", filepath.Join(fresh, "none.db"), "--store", store, "--id", "s"}},
		{"unreachable store", 2, "unreachable", []string{"list", "--store", "s3://bucket?endpoint=http://127.0.0.1:9&region=us-east-1&use_path_style=true&disable_https=true"}},
		{"missing manifest", 1, "does not exist", []string{"verify", "--store", store, "--id", "nope"}},
		{"missing store", 1, "no such file", []string{"verify", "--store", fresh, "--id", "s"}},
		{"unknown key", 2, "site-99", []string{"restore", "--db", dbPath, "--store", store, "--id", "s", "--keys", "site-99", "--apply"}},
		{"no selection", 2, "--keys", []string{"restore", "--db", dbPath, "--store", store, "--id", "s"}},
		{"triggers on SQLite", 2, "cannot disable triggers", []string{"restore", "--db", dbPath, "--store", store, "--id", "s", "--keys", "site-00", "--disable-triggers"}},
		{"key column and table", 2, "not both", []string{"take", "--db", dbPath, "--store", fresh, "--table", "orders:site", "--key-column", "site", "--all"}},
		{"bad flag", 2, "flag provided but not defined", []string{"verify", "--store", store, "--id", "s", "--bogus"}},
		{"unknown subcommand", 2, "unknown subcommand", []string{"frobnicate"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := deploysafe(t, []string{"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=y"}, append([]string{"snapshot"}, tc.args...)...)
			want(t, r, tc.code, tc.args...)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if tc.name != "bad flag" && (len(lines) != 1 || !strings.HasPrefix(lines[0], "deploysafe: ") || !strings.Contains(lines[0], tc.text)) {
				t.Errorf("stderr %q, want one line mentioning %q", r.stderr, tc.text)
			}
			if tc.name == "bad flag" && !strings.Contains(r.stderr, tc.text) {
				t.Errorf("stderr %q, want %q", r.stderr, tc.text)
			}
			if _, err := os.Stat(fresh); !os.IsNotExist(err) {
				t.Errorf("a failed command created the store %s", fresh)
			}
		})
	}
}

// TestRestoreKilledAndRerun kills restore --apply with SIGKILL after some
// partitions committed; the rerun finishes from the journal, the selected
// sites end up exactly as snapshotted, and the others as they were.
func TestRestoreKilledAndRerun(t *testing.T) {
	dbPath, db := shopDB(t, 12)
	store := filepath.Join(t.TempDir(), "snapshots")
	common := []string{"--db", dbPath, "--store", store}
	want(t, deploysafe(t, nil, append([]string{"snapshot", "take", "--table", "orders:site", "--all", "--id", "s"}, common...)...), 0, "take")
	snap := rows(t, db, "orders", "WHERE site <= 'site-07'")
	if _, err := db.Exec(`DELETE FROM orders WHERE id % 2 = 0`); err != nil {
		t.Fatal(err)
	}
	others := rows(t, db, "orders", "WHERE site > 'site-07'")
	keys := "site-00,site-01,site-02,site-03,site-04,site-05,site-06,site-07"
	args := append([]string{"snapshot", "restore", "--id", "s", "--keys", keys, "--apply", "--parallel", "1"}, common...)

	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "DEPLOYSAFE_RUN_MAIN=1", "DEPLOYSAFE_TEST_HANG_AFTER=3")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "hanging") {
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("restore was not killed: %v", err)
	}
	if got := rows(t, db, "orders", "WHERE site <= 'site-07'"); got == snap {
		t.Fatal("the killed restore had finished everything")
	}
	r := deploysafe(t, nil, args...)
	want(t, r, 0, "rerun")
	var restored, skippedN, failedN int
	if i := strings.LastIndex(r.stdout, "\nrestored "); i < 0 {
		t.Fatalf("rerun printed %q", r.stdout)
	} else if _, err := fmt.Sscanf(r.stdout[i+1:], "restored %d, skipped %d (restored before), failed %d", &restored, &skippedN, &failedN); err != nil {
		t.Fatalf("rerun printed %q: %v", r.stdout, err)
	}
	// At least the 3 partitions done before the kill are skipped, not
	// restored again; the rest are restored now.
	if skippedN < 3 || restored == 0 || restored+skippedN != 8 || failedN != 0 {
		t.Errorf("rerun restored %d, skipped %d, failed %d; want ≥ 3 skipped and the rest restored", restored, skippedN, failedN)
	}
	if got := rows(t, db, "orders", "WHERE site <= 'site-07'"); got != snap {
		t.Error("selected sites differ from the snapshot after the rerun")
	}
	if got := rows(t, db, "orders", "WHERE site > 'site-07'"); got != others {
		t.Error("unselected sites were touched")
	}
}

// TestPostgresS3EndToEnd runs take, check and restore against the real
// PostgreSQL and the S3 gateway.
func TestPostgresS3EndToEnd(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	gw := testenv.S3Gateway(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rnd [6]byte
	rand.Read(rnd[:])
	schema := "cmd_" + hex.EncodeToString(rnd[:])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	table := schema + ".orders"
	fill(t, db, table, "$", 5)
	client := s3.New(s3.Options{BaseEndpoint: aws.String(gw.Endpoint), Region: gw.Region, UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(gw.AccessKeyID, gw.SecretAccessKey, "")})
	bucket := "deploysafe-cmd-" + hex.EncodeToString(rnd[:])
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"endpoint": {gw.Endpoint}, "region": {gw.Region}, "use_path_style": {"true"}, "disable_https": {"true"}}
	store := "s3://" + bucket + "?" + q.Encode()
	common := []string{"--db", dsn, "--store", store}
	env := []string{"AWS_ACCESS_KEY_ID=" + gw.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + gw.SecretAccessKey}

	snap := rows(t, db, table, "")
	want(t, deploysafe(t, env, append([]string{"snapshot", "take", "--table", table + ":site", "--all", "--id", "pg"}, common...)...), 0, "take")
	if _, err := db.Exec(`DELETE FROM ` + table + ` WHERE site = 'site-02' AND id > 3`); err != nil {
		t.Fatal(err)
	}
	r := deploysafe(t, env, append([]string{"snapshot", "check", "--id", "pg", "--json"}, common...)...)
	want(t, r, 1, "check")
	var c struct{ Damaged []string }
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || len(c.Damaged) != 1 || c.Damaged[0] != table+"/site-02" {
		t.Fatalf("check --json = %q, %v", r.stdout, err)
	}
	began := time.Now()
	want(t, deploysafe(t, env, append([]string{"snapshot", "restore", "--id", "pg", "--from-check", "--apply"}, common...)...), 0, "restore")
	t.Logf("restore took %v", time.Since(began))
	if rows(t, db, table, "") != snap {
		t.Error("the restored table differs from the snapshot")
	}
	want(t, deploysafe(t, env, "snapshot", "rehearse", "--db", dsn, "--store", store, "--id", "pg"), 0, "rehearse")
	want(t, deploysafe(t, env, "snapshot", "verify", "--store", store, "--id", "pg"), 0, "verify")
}

// TestTenantRestoreKilledAtEveryStage: a tenant is orders and lines on
// PostgreSQL, snapshotted to the S3 gateway. Its restore is one
// transaction; the command is SIGKILLed while the server is inside each of
// its writes in turn (a trigger sleeps in the deletes of lines, the updates
// and the inserts of orders, the inserts of lines). After each kill the
// tenant is exactly as the deploy left it, and a rerun makes it exactly the
// snapshot's; the other tenant is never touched.
func TestTenantRestoreKilledAtEveryStage(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	gw := testenv.S3Gateway(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rnd [6]byte
	rand.Read(rnd[:])
	schema := "cmd_" + hex.EncodeToString(rnd[:])
	must := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must("CREATE SCHEMA " + schema)
	t.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	orders, lines := schema+".orders", schema+".lines"
	fill(t, db, orders, "$", 2)
	must(`CREATE TABLE ` + lines + ` (site TEXT NOT NULL, id INTEGER NOT NULL, order_id INTEGER NOT NULL, note TEXT,
		PRIMARY KEY (site, id), FOREIGN KEY (site, order_id) REFERENCES ` + orders + ` (site, id))`)
	must(`INSERT INTO ` + lines + ` SELECT site, id * 10 + 1, id, 'line' FROM ` + orders)
	client := s3.New(s3.Options{BaseEndpoint: aws.String(gw.Endpoint), Region: gw.Region, UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(gw.AccessKeyID, gw.SecretAccessKey, "")})
	bucket := "deploysafe-kill-" + hex.EncodeToString(rnd[:])
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"endpoint": {gw.Endpoint}, "region": {gw.Region}, "use_path_style": {"true"}, "disable_https": {"true"}}
	store := "s3://" + bucket + "?" + q.Encode()
	env := []string{"AWS_ACCESS_KEY_ID=" + gw.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + gw.SecretAccessKey}
	want(t, deploysafe(t, env, "snapshot", "take", "--db", dsn, "--store", store, "--key-column", "site", "--schema", schema, "--all", "--id", "k"), 0, "take")
	state := func(site string) string {
		return rows(t, db, orders, "WHERE site = '"+site+"'") + rows(t, db, lines, "WHERE site = '"+site+"'")
	}
	snap, other := state("site-01"), state("site-00")
	// The deploy: an order and its line deleted, one changed, one added with a line.
	must(`DELETE FROM ` + lines + ` WHERE site = 'site-01' AND order_id = 7`)
	must(`DELETE FROM ` + orders + ` WHERE site = 'site-01' AND id = 7`)
	must(`UPDATE ` + orders + ` SET note = 'x' WHERE site = 'site-01' AND id = 3`)
	must(`INSERT INTO ` + orders + ` VALUES ('site-01', 99, 'new')`)
	must(`INSERT INTO ` + lines + ` VALUES ('site-01', 991, 99, 'new')`)
	damaged := state("site-01")
	must(`CREATE FUNCTION ` + schema + `.stall() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(60); RETURN NULL; END$$`)
	app := "deploysafe-kill-" + hex.EncodeToString(rnd[:])
	killDSN := dsn + "&application_name=" + app
	if !strings.Contains(dsn, "?") {
		killDSN = dsn + "?application_name=" + app
	}
	args := []string{"snapshot", "restore", "--db", killDSN, "--store", store, "--id", "k", "--keys", "site-01", "--apply"}
	for _, stage := range []struct{ event, table string }{
		{"DELETE", lines}, {"UPDATE", orders}, {"INSERT", orders}, {"INSERT", lines},
	} {
		must(`CREATE TRIGGER stall AFTER ` + stage.event + ` ON ` + stage.table + ` FOR EACH STATEMENT EXECUTE FUNCTION ` + schema + `.stall()`)
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(append(os.Environ(), env...), "DEPLOYSAFE_RUN_MAIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ended := make(chan error, 1)
		go func() { ended <- cmd.Wait() }()
		// Kill the command once its own session sleeps in the trigger.
		for n := 0; n == 0; {
			if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'PgSleep'`, app).Scan(&n); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-ended:
				t.Fatalf("the restore ended (%v) before it reached the %s of %s; tenant now:\n%s", err, stage.event, stage.table, state("site-01"))
			case <-time.After(20 * time.Millisecond):
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := <-ended; err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("%s %s: restore was not killed: %v", stage.event, stage.table, err)
		}
		// Its backend ends the sleep (and rolls back) once the server sees
		// the connection gone: end it now rather than wait out the sleep.
		must(`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = '` + app + `'`)
		for n := 1; n > 0; {
			if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		must(`DROP TRIGGER stall ON ` + stage.table)
		if got := state("site-01"); got != damaged {
			t.Fatalf("killed in %s of %s: the tenant is neither as it was nor restored:\n%s", stage.event, stage.table, got)
		}
	}
	want(t, deploysafe(t, env, args...), 0, "rerun")
	if got := state("site-01"); got != snap {
		t.Errorf("after the rerun the tenant differs from the snapshot:\n%s\nwant\n%s", got, snap)
	}
	if got := state("site-00"); got != other {
		t.Error("the other tenant was touched")
	}
}
