package pgjournal_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The lease-loss scenario of issue 26: two executor processes share the
// journal; the holder's lease connection is terminated mid-wave while its
// process keeps running and its Deploy calls are in flight; the other
// process Opens and Resumes. The count of effective deploys is a column of
// the test's own schema, outside both processes. No target may be
// deployed twice, with a Deploy that ignores its context and one that
// honours it.
//
// LEASE_RUNS sets the runs per kind of Deploy (default 2: the suite stays
// fast; the goal is 50).
func TestLostLeaseNoTargetDeployedTwice(t *testing.T) {
	if os.Getenv("LEASE_ROLE") != "" {
		return // in a child
	}
	runs := 2
	if s := os.Getenv("LEASE_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("LEASE_RUNS=%q: want a positive number", s)
		}
		runs = n
	}
	for _, mode := range []string{"ignores-context", "honours-context"} {
		t.Run(mode, func(t *testing.T) {
			doubled := 0
			for i := range runs {
				if n := leaseLossRun(t, mode, i); n > 0 {
					doubled++
				}
			}
			if doubled > 0 {
				t.Errorf("%s: %d of %d runs deployed a target twice", mode, doubled, runs)
			} else {
				t.Logf("%s: 0 of %d runs deployed a target twice", mode, runs)
			}
		})
	}
}

// leaseLossRun runs the scenario once and returns how many targets
// received more than one effective deploy.
func leaseLossRun(t *testing.T, mode string, i int) int {
	t.Helper()
	dsn := schemaDSN(t)
	ts := targets(8)
	f := newPGFleet(t, dsn, ts)
	dir := t.TempDir()
	holderApp := appName(t, fmt.Sprintf("holder%d", i))
	child := func(role string) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLeaseExecutor$", "-test.v")
		cmd.Env = append(os.Environ(), "LEASE_ROLE="+role, "LEASE_MODE="+mode, "LEASE_DSN="+dsn,
			"LEASE_APP="+holderApp, "LEASE_MARKER="+filepath.Join(dir, "mid-wave"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	a, aOut := child("holder")
	defer func() { _ = a.Process.Kill(); _ = a.Wait() }()
	waitFile(t, filepath.Join(dir, "mid-wave"))
	// Terminate the holder's lease connection, and only it: the test's own
	// database and application name.
	var cut int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`, holderApp).Scan(&cut); err != nil || cut != 1 {
		t.Fatalf("terminate the holder's lease connection: %d terminated, %v", cut, err)
	}
	b, bOut := child("standby")
	bErr := b.Wait()
	aErr := a.Wait()
	if bErr != nil {
		t.Fatalf("run %d: the second executor failed (%v):\n%s\nholder:\n%s", i, bErr, bOut, aOut)
	}
	if aErr != nil {
		t.Fatalf("run %d: the holder failed (%v):\n%s", i, aErr, aOut)
	}
	twice := 0
	for tg, s := range f.state(t) {
		if s[1].(int) > 1 {
			twice++
			t.Logf("run %d (%s): %s deployed %d times", i, mode, tg, s[1])
		}
		if s[0] != "v2" {
			t.Errorf("run %d (%s): %s on %v after the second executor finished", i, mode, tg, s[0])
		}
	}
	if twice > 0 {
		t.Logf("holder:\n%s\nsecond executor:\n%s", aOut, bOut)
	}
	return twice
}

func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the holder never reached wave 3")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// slowFleet deploys the targets of wave 3 (site04 on) after 600 ms, longer
// than the holder takes to notice a lost lease (a quarter of the 1.5 s call
// deadline), and the others at once, through its own pool (never the
// journal's connection): honour says whether a Deploy whose context ends
// first gives up.
type slowFleet struct {
	*pgFleet
	honour bool
	marker string
}

const deployTakes = 600 * time.Millisecond

func (s *slowFleet) Deploy(ctx context.Context, t, v string) error {
	if t == "site04" && s.marker != "" { // mid-wave 3, calls in flight
		_ = os.WriteFile(s.marker, nil, 0o600)
	}
	switch {
	case t < "site04":
	case s.honour:
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(deployTakes):
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	default:
		time.Sleep(deployTakes)
	}
	// The effect lands whatever the context says now: a target system
	// does not undo a change because its caller stopped waiting.
	return s.pgFleet.Deploy(context.WithoutCancel(ctx), t, v)
}

// leasePlan is plan with a call deadline short enough for a test (the
// second executor waits it out) and long enough for a loaded machine.
func leasePlan(tb testing.TB) *rollout.Plan {
	tb.Helper()
	ts := targets(8)
	gate := rollout.Gate{Name: "g", Deadline: 10 * time.Second, Check: func(context.Context, rollout.GateInput) error { return nil }}
	p, err := rollout.NewPlan("v2", ts, rollout.Gates(gate), rollout.NoRehearsal(), rollout.CallDeadline(1500*time.Millisecond),
		rollout.Waves(ts[:1], ts[1:4], ts[4:]))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestHelperLeaseExecutor is one executor process of
// TestLostLeaseNoTargetDeployedTwice: the holder (Run, lease connection
// named LEASE_APP) or the standby (Open once the lease is free, Resume).
func TestHelperLeaseExecutor(t *testing.T) {
	role := os.Getenv("LEASE_ROLE")
	if role == "" {
		return // not a child
	}
	dsn := os.Getenv("LEASE_DSN")
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = os.Getenv("LEASE_APP") + "-fleet-" + role
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.Ping(context.Background()); err != nil { // connect before the calls, not inside one
		t.Fatal(err)
	}
	f := &slowFleet{pgFleet: &pgFleet{pool: pool}, honour: os.Getenv("LEASE_MODE") == "honours-context"}
	p := leasePlan(t)
	ctx := context.Background()
	if role == "holder" {
		f.marker = os.Getenv("LEASE_MARKER")
		j, err := openJournal(ctx, t, withParam(dsn, "application_name", os.Getenv("LEASE_APP")), rname("lease-loss"))
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		ex, _ := rollout.New(f, rollout.Journal(j), rollout.Concurrency(4))
		rep, err := ex.Run(ctx, p, p.Fingerprint())
		t.Logf("holder %s: %v", time.Now().Format("15:04:05.000"), err)
		if rep == nil || rep.Outcome != rollout.OutcomeInterrupted {
			t.Fatalf("the holder that lost its lease: %v", err)
		}
		return
	}
	j := openRetry(t, dsn, rname("lease-loss"))
	defer j.Close()
	ex, _ := rollout.New(f, rollout.Journal(j), rollout.Concurrency(4))
	rep, err := ex.Resume(ctx, p, p.Fingerprint())
	t.Logf("standby %s: %v", time.Now().Format("15:04:05.000"), err)
	if err != nil || rep.Outcome != rollout.OutcomeSucceeded {
		t.Fatalf("Resume: %v", err)
	}
}

// Every Open of a rollout gets a greater fencing token, which every
// Deployer call of its rollout carries; Check reads the database's clock.
func TestFencingTokenGrowsWithEveryOpen(t *testing.T) {
	dsn := schemaDSN(t)
	ctx := context.Background()
	var prev int64
	for i := range 3 {
		j, err := openJournal(ctx, t, dsn, rname("tokens"))
		if err != nil {
			t.Fatal(err)
		}
		now, tok, err := j.Check(ctx)
		if err != nil || tok != prev+1 || time.Since(now).Abs() > time.Minute {
			t.Fatalf("Open %d: Check = %v, %d, %v; want token %d", i, now, tok, err, prev+1)
		}
		prev = tok
		if i == 2 {
			var got []int64
			f := &memFleet{cur: map[string]string{}}
			d, _ := rollout.FromFuncs(func(ctx context.Context, tg, v string) error {
				tk, _ := rollout.FencingToken(ctx)
				got = append(got, tk)
				return f.Deploy(ctx, tg, v)
			}, f.Rollback, f.Version)
			ts := targets(8)
			p := plan(t, ts)
			ex, _ := rollout.New(d, rollout.Journal(j), rollout.Concurrency(1))
			if _, err := ex.Run(ctx, p, p.Fingerprint()); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(ts) || got[0] != tok || got[len(got)-1] != tok {
				t.Errorf("tokens the Deployer saw: %v, want %d for each of %d deploys", got, tok, len(ts))
			}
		}
		j.Close()
		if _, _, err := j.Check(ctx); !errors.Is(err, rollout.ErrJournal) {
			t.Errorf("Check after Close: %v", err)
		}
	}
}
