package pgreaper_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/internal/testenv"
	"github.com/deploysafe/deploysafe/reaper"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// database gives a test a schema of its own on the test server (other
// packages share it) and a pool whose search_path is that schema.
func database(t testing.TB, params ...string) (*pgxpool.Pool, *pgx.Conn) {
	t.Helper()
	dsn := testenv.PostgresDSN(t)
	ctx := context.Background()
	adm := admin(t, dsn)
	schema := fmt.Sprintf("pgreaper_test_%d", rand.Int64N(1<<62))
	if _, err := adm.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { adm.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	// The test's own sessions carry its schema's name, so that holderPID
	// finds them and no other application's on a shared server.
	cfg.ConnConfig.RuntimeParams["application_name"] = schema
	for i := 0; i+1 < len(params); i += 2 {
		cfg.ConnConfig.RuntimeParams[params[i]] = params[i+1]
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := adm.Exec(ctx, "SET search_path = "+schema); err != nil {
		t.Fatal(err)
	}
	return pool, adm
}

// admin opens a plain connection for inspecting and killing sessions.
func admin(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// holderPID is the newest of this test's own backends (pool's
// application_name: its schema unless the test set another) holding an
// advisory lock: never another test's or application's on the same server.
func holderPID(t testing.TB, adm *pgx.Conn, pool *pgxpool.Pool, since time.Time) int {
	t.Helper()
	app := pool.Config().ConnConfig.RuntimeParams["application_name"]
	var pid int
	err := adm.QueryRow(context.Background(), `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND a.backend_start >= $1
		AND a.application_name = $2 ORDER BY a.backend_start DESC LIMIT 1`, since, app).Scan(&pid)
	if err != nil {
		t.Fatalf("find lock holder: %v", err)
	}
	return pid
}

// --- a small fleet and its observers ---

type inv struct{ rs []reaper.Resource }

func (i inv) List(context.Context) (reaper.Listing, error) {
	return reaper.Listing{Resources: i.rs, AsOf: time.Now()}, nil
}

type dep struct {
	mu    sync.Mutex
	calls []string
	hook  func()
}

func (d *dep) rec(act string, r reaper.Resource) error {
	if d.hook != nil {
		d.hook()
	}
	d.mu.Lock()
	d.calls = append(d.calls, act+" "+r.ID)
	d.mu.Unlock()
	return nil
}
func (d *dep) Quarantine(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	return d.rec("quarantine", r)
}
func (d *dep) Restore(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	return d.rec("restore", r)
}
func (d *dep) Delete(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	return d.rec("delete", r)
}

func vote(orphan string) func(context.Context, reaper.Resource) (reaper.Vote, error) {
	return func(_ context.Context, r reaper.Resource) (reaper.Vote, error) {
		if r.ID == orphan {
			return reaper.Vote{Verdict: reaper.Orphan, Evidence: "no owner"}, nil
		}
		return reaper.Vote{Verdict: reaper.Alive, Evidence: "owned"}, nil
	}
}

func fleet() (inv, []reaper.Observer) {
	var rs []reaper.Resource
	for i := 0; i < 200; i++ {
		rs = append(rs, reaper.Resource{ID: fmt.Sprintf("r%03d", i)})
	}
	return inv{rs}, []reaper.Observer{reaper.ObserverFunc("a", "a", vote("r000")), reaper.ObserverFunc("b", "b", vote("r000"))}
}

func replica(t testing.TB, pool *pgxpool.Pool, name string, d *dep, o []reaper.Observer, i inv, opts ...reaper.Option) *reaper.Reaper {
	t.Helper()
	led, lease, err := pgreaperOpen(pool, name)
	if err != nil {
		t.Fatal(err)
	}
	lim := reaper.DefaultLimits()
	lim.Rate = 1e9
	r, err := reaper.New(i, o, d, led, append([]reaper.Option{reaper.Elect(lease), reaper.Act(reaper.Quarantine, 0),
		reaper.Grace(1, 0), reaper.Limit(lim)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
