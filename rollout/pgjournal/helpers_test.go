package pgjournal_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/internal/testenv"
	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/pgjournal"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// schemaDSN creates a schema of the test's own and returns a DSN whose
// search_path is that schema, so parallel packages never collide.
func schemaDSN(tb testing.TB) string {
	tb.Helper()
	dsn := testenv.PostgresDSN(tb)
	schema := fmt.Sprintf("pgj_%d", time.Now().UnixNano())
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	return withParam(dsn, "search_path", schema)
}

// appName is an application_name unique to this test and role, so that any
// server-side action of the test finds exactly its own backends.
func appName(tb testing.TB, role string) string {
	tb.Helper()
	return fmt.Sprintf("pgj-%d-%s", time.Now().UnixNano(), role)
}

func withParam(dsn, k, v string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return dsn + " " + k + "=" + v
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// pgFleet is a fleet of targets whose versions live in PostgreSQL, shared
// by every replica (the real world the rollout changes). It counts the
// deploys each target received.
type pgFleet struct {
	pool    *pgxpool.Pool
	onApply func(target string) // after a deploy applied, before it returns
}

func newPGFleet(tb testing.TB, dsn string, targets []string) *pgFleet {
	tb.Helper()
	f := openPGFleet(tb, dsn)
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `CREATE TABLE fleet (target text PRIMARY KEY, version text NOT NULL, prev text NOT NULL DEFAULT '', deploys int NOT NULL DEFAULT 0)`); err != nil {
		tb.Fatal(err)
	}
	for _, t := range targets {
		if _, err := f.pool.Exec(ctx, `INSERT INTO fleet (target, version) VALUES ($1, 'v1')`, t); err != nil {
			tb.Fatal(err)
		}
	}
	return f
}

func openPGFleet(tb testing.TB, dsn string) *pgFleet {
	tb.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return &pgFleet{pool: pool}
}

func (f *pgFleet) Deploy(ctx context.Context, t, v string) error {
	if _, err := f.pool.Exec(ctx, `UPDATE fleet SET prev = version, version = $2, deploys = deploys + 1 WHERE target = $1`, t, v); err != nil {
		return err
	}
	if f.onApply != nil {
		f.onApply(t)
	}
	return nil
}

func (f *pgFleet) Rollback(ctx context.Context, t string) error {
	_, err := f.pool.Exec(ctx, `UPDATE fleet SET version = prev WHERE target = $1`, t)
	return err
}

func (f *pgFleet) Version(ctx context.Context, t string) (string, error) {
	var v string
	err := f.pool.QueryRow(ctx, `SELECT version FROM fleet WHERE target = $1`, t).Scan(&v)
	return v, err
}

func (f *pgFleet) state(tb testing.TB) map[string][2]any {
	tb.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT target, version, deploys FROM fleet`)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][2]any{}
	for rows.Next() {
		var t, v string
		var n int
		if err := rows.Scan(&t, &v, &n); err != nil {
			tb.Fatal(err)
		}
		out[t] = [2]any{v, n}
	}
	return out
}

func targets(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("site%02d", i)
	}
	return out
}

func plan(tb testing.TB, ts []string) *rollout.Plan {
	tb.Helper()
	gate := rollout.Gate{Name: "g", Deadline: 10 * time.Second, Check: func(context.Context, rollout.GateInput) error { return nil }}
	p, err := rollout.NewPlan("v2", ts, rollout.Gates(gate), rollout.NoRehearsal(), rollout.Waves(ts[:1], ts[1:4], ts[4:]),
		rollout.CallDeadline(2*time.Second)) // Resume waits out a dead holder's calls
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// runID makes this test run's rollout names its own: a lease is keyed by
// the name on the whole database, and another run of this suite may share
// the server. Executor subprocesses inherit it through the environment.
var runID = func() string {
	if id := os.Getenv("PGJOURNAL_TEST_RUN"); id != "" {
		return id
	}
	id := fmt.Sprintf("%x", rand.Uint64())
	os.Setenv("PGJOURNAL_TEST_RUN", id)
	return id
}()

// rname is the rollout name n of this test process.
func rname(n string) string { return n + "-" + runID }

// openJournal opens the journal name through a pool of its own on dsn,
// closed when the test ends (the journal's connection leaves the pool).
func openJournal(ctx context.Context, tb testing.TB, dsn, name string) (*pgjournal.Journal, error) {
	tb.Helper()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pgjournal.Open(ctx, pool, name)
}
