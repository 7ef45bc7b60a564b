package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/deploysafe/deploysafe/internal/testenv"
	"github.com/deploysafe/deploysafe/reaper"
	"github.com/deploysafe/deploysafe/reaper/pgreaper"
)

// reaperDB gives a test a schema of its own: the pool the test's reaper
// sweeps with, and the DSN the command is given (its search_path names the
// schema, and it carries a password the command must never print).
// testLedger is this process's ledger name: a lease is keyed by name on the
// whole server, so a fixed one would collide with other packages' tests.
var testLedger = fmt.Sprintf("servos-cmd-%d", os.Getpid())

func reaperDB(t *testing.T) (*pgxpool.Pool, string) {
	t.Helper()
	dsn := testenv.PostgresDSN(t)
	ctx := context.Background()
	var rnd [6]byte
	rand.Read(rnd[:])
	schema := "cmd_reaper_" + hex.EncodeToString(rnd[:])
	adm, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(adm.Close)
	if _, err := adm.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { adm.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, has := u.User.Password(); !has {
		u.User = url.UserPassword(u.User.Username(), "pw-never-printed") // the test server trusts, and ignores it
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, u.String()
}

// sweeper is a reaper on the test's schema over a fleet of 200, with the
// orphans named, whose deprovisioner fails to quarantine "r001".
type sweeper struct {
	orphans map[string]bool
	r       *reaper.Reaper
	lease   reaper.Lease
}

func newSweeper(t *testing.T, pool *pgxpool.Pool, name string, opts ...reaper.Option) *sweeper {
	t.Helper()
	ledger, lease, err := pgreaper.Open(context.Background(), pool, name)
	if err != nil {
		t.Fatal(err)
	}
	s := &sweeper{orphans: map[string]bool{}, lease: lease}
	var fleet []reaper.Resource
	for i := range 200 {
		fleet = append(fleet, reaper.Resource{ID: fmt.Sprintf("r%03d", i)})
	}
	inv := inventoryFunc(func(context.Context) (reaper.Listing, error) {
		return reaper.Listing{Resources: fleet, AsOf: time.Now()}, nil
	})
	vote := func(_ context.Context, r reaper.Resource) (reaper.Vote, error) {
		if s.orphans[r.ID] {
			return reaper.Vote{Verdict: reaper.Orphan, Evidence: "no owner"}, nil
		}
		return reaper.Vote{Verdict: reaper.Alive, Evidence: "owned"}, nil
	}
	obs := []reaper.Observer{reaper.ObserverFunc("a", "a", vote), reaper.ObserverFunc("b", "b", vote)}
	lim := reaper.DefaultLimits()
	lim.Rate, lim.MaxAttempts = 1e9, 1
	s.r, err = reaper.New(inv, obs, failing{"r001"}, ledger, append([]reaper.Option{reaper.Elect(lease), reaper.Act(reaper.Quarantine, 0),
		reaper.Grace(1, 0), reaper.Limit(lim)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type failing struct{ id string }

func (f failing) Quarantine(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	if r.ID == f.id {
		return errors.New("cloud api: 503 slow down")
	}
	return nil
}
func (failing) Restore(context.Context, reaper.Resource, reaper.Precondition) error { return nil }
func (failing) Delete(context.Context, reaper.Resource, reaper.Precondition) error  { return nil }

func noSecret(t *testing.T, r result, dsn string) {
	t.Helper()
	u, _ := url.Parse(dsn)
	if pw, _ := u.User.Password(); pw != "" && strings.Contains(r.stdout+r.stderr, pw) {
		t.Errorf("the password was printed:\n%s%s", r.stdout, r.stderr)
	}
}

// TestReaperStatusAndAck: a real sweep halts the reaper; status shows the
// halt with its trips and the command that acknowledges it, the
// quarantined resource with its deadline, the parked one with its error,
// and the lease; ack lifts it (the next sweep goes through), a stale or
// repeated ack is refused.
func TestReaperStatusAndAck(t *testing.T) {
	pool, dsn := reaperDB(t)
	ctx := context.Background()
	s := newSweeper(t, pool, testLedger)
	s.orphans["r000"], s.orphans["r001"] = true, true
	if _, err := s.r.Sweep(ctx); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("sweep 1: %v, want r001's quarantine parked", err)
	}
	for i := 2; i <= 5; i++ {
		s.orphans[fmt.Sprintf("r%03d", i)] = true // 6 orphans of 200: over the 1% limit
	}
	_, err := s.r.Sweep(ctx)
	var be *reaper.BreakerError
	if !errors.As(err, &be) {
		t.Fatalf("sweep 2: %v, want a halt", err)
	}
	common := []string{"--db", dsn, "--ledger", testLedger}

	r := deploysafe(t, nil, append([]string{"reaper", "status"}, common...)...)
	want(t, r, 1, "status while halted")
	noSecret(t, r, dsn)
	for _, w := range []string{
		"last sweep: #1 at ", "mode quarantine: 200 resources, 198 alive, 2 orphan, 0 unknown",
		"HALTED: halt " + be.HaltID + " by sweep 2, started " + be.At.UTC().Format(time.RFC3339) + " (", "inventory-fraction: 6 of 200 (allowed 2)",
		"deploysafe reaper ack " + be.HaltID + " --by YOUR_NAME --db ", " --ledger servos",
		"quarantined: 1 (window 72h0m0s, as the last sweep recorded it; the last sweep's mode, quarantine, deletes nothing)\n  r000  quarantined since ", "parked: 1\n  r001  quarantine given up after 1 attempt(s): ", "503 slow down",
		"lease: free",
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("status printed\n%s\nwant %q", r.stdout, w)
		}
	}
	r = deploysafe(t, nil, append([]string{"reaper", "status", "--json"}, common...)...)
	want(t, r, 1, "status --json while halted")
	var st reaperStatusJSON
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	q := st.Quarantined
	if st.Healthy || st.Halt == nil || st.Halt.ID != be.HaltID || len(st.Halt.Trips) != len(be.Trips) || !st.Halt.At.Equal(be.At) ||
		st.LastSweep == nil || st.LastSweep.Number != 1 || st.LastSweep.Mode != "quarantine" || st.LastSweep.Orphan != 2 ||
		len(q) != 1 || q[0].ID != "r000" || q[0].Deadline == nil || !q[0].Deadline.Equal(q[0].QuarantinedAt.Add(72*time.Hour)) ||
		len(st.Parked) != 1 || st.Parked[0].ID != "r001" || st.Parked[0].Action != "quarantine" || !strings.Contains(st.Parked[0].Error, "503") ||
		st.Lease.Held {
		t.Fatalf("status --json = %s", r.stdout)
	}
	if d := st.Now.Sub(st.LastSweep.At); d < 0 || d > time.Hour {
		t.Errorf("the last sweep was %v before the database's clock, want a moment", d)
	}
	if d := st.Now.Sub(st.Halt.At); d < 0 || d > time.Hour || st.Halt.At.Before(st.LastSweep.At) {
		t.Errorf("the halt at %v, the last sweep at %v, the database's clock %v: want the halt after the sweep, a moment ago", st.Halt.At, st.LastSweep.At, st.Now)
	}
	// The printed command is the one that acknowledges (its DSN without
	// the password, which pgx reads from PGPASSWORD).
	ackArgs := strings.Fields(st.Halt.Ack)[1:]
	for i, a := range ackArgs {
		ackArgs[i] = strings.Trim(a, "'")
		if a == "YOUR_NAME" {
			ackArgs[i] = "alice"
		}
	}

	// While a sweep holds the lease, status names it and ack waits its turn.
	if err := s.lease.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	r = deploysafe(t, nil, append([]string{"reaper", "status"}, common...)...)
	if !strings.Contains(r.stdout, "lease: held by pid ") {
		t.Errorf("status with the lease held printed\n%s", r.stdout)
	}
	r = deploysafe(t, nil, ackArgs...)
	want(t, r, 1, "ack while a sweep holds the lease")
	if !strings.Contains(r.stderr, "holds the lease (pid ") {
		t.Errorf("ack while held: %q", r.stderr)
	}
	if err := s.lease.Release(ctx); err != nil {
		t.Fatal(err)
	}

	r = deploysafe(t, nil, append([]string{"reaper", "ack", "0123456789ab", "--by", "alice"}, common...)...)
	want(t, r, 1, "ack of a stale halt")
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(r.stderr, "refused") ||
		!strings.Contains(r.stderr, "the current halt is "+be.HaltID) {
		t.Errorf("stale ack: %q, want one line naming the current halt", r.stderr)
	}
	r = deploysafe(t, []string{"PGPASSWORD=pw-never-printed"}, ackArgs...)
	want(t, r, 0, "ack")
	noSecret(t, r, dsn)
	if !strings.Contains(r.stdout, "halt "+be.HaltID+" acknowledged by alice") || !strings.Contains(r.stdout, "inventory-fraction: 6 of 200") ||
		!strings.Contains(r.stderr, "acknowledged by alice") {
		t.Errorf("ack printed %q, audited %q", r.stdout, r.stderr)
	}
	r = deploysafe(t, nil, ackArgs...)
	want(t, r, 1, "second ack")
	if !strings.Contains(r.stderr, "refused") || !strings.Contains(r.stderr, "not halted") {
		t.Errorf("second ack: %q", r.stderr)
	}
	r = deploysafe(t, nil, append([]string{"reaper", "status", "--json"}, common...)...)
	want(t, r, 1, "status after ack (r001 is still parked)")
	st = reaperStatusJSON{}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st.Halt != nil || len(st.Parked) != 1 {
		t.Fatalf("status --json after ack = %s (%v), want no halt", r.stdout, err)
	}
	// The library sees it too: the acknowledged sweep goes through.
	if _, err := s.r.Sweep(ctx); errors.Is(err, reaper.ErrHalted) || errors.Is(err, reaper.ErrBlastRadius) {
		t.Fatalf("sweep after the command's ack: %v", err)
	}
	// A new halt: the old one's command is now stale, and refused.
	s.orphans["r006"] = true
	var be2 *reaper.BreakerError
	if _, err := s.r.Sweep(ctx); !errors.As(err, &be2) || be2.HaltID == be.HaltID {
		t.Fatalf("sweep with a 7th orphan: %v, want a new halt", err)
	}
	r = deploysafe(t, nil, ackArgs...)
	want(t, r, 1, "ack of the previous halt")
	if !strings.Contains(r.stderr, "refused") || !strings.Contains(r.stderr, "the current halt is "+be2.HaltID) {
		t.Errorf("stale ack: %q, want it refused naming the current halt", r.stderr)
	}
}

// TestReaperStatusHealthy: a reaper whose sweeps went through exits 0.
func TestReaperStatusHealthy(t *testing.T) {
	pool, dsn := reaperDB(t)
	s := newSweeper(t, pool, "volumes")
	s.orphans["r007"] = true
	if _, err := s.r.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := deploysafe(t, nil, "reaper", "status", "--db", dsn, "--ledger", "volumes")
	want(t, r, 0, "status")
	if !strings.Contains(r.stdout, "halt: none") || !strings.Contains(r.stdout, "parked: 0") || !strings.Contains(r.stdout, "r007  quarantined since ") {
		t.Errorf("status printed\n%s", r.stdout)
	}
}

// TestReaperBadInput: each mistake is one line and the documented code.
func TestReaperBadInput(t *testing.T) {
	pool, dsn := reaperDB(t)
	s := newSweeper(t, pool, testLedger)
	if _, err := s.r.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		code int
		text string
		args []string
	}{
		{"unknown ledger", 2, `no reaper ledger "servoz"`, []string{"status", "--db", dsn, "--ledger", "servoz"}},
		{"no ledger", 2, "--ledger is required", []string{"status", "--db", dsn}},
		{"no db", 2, "--db is required", []string{"status", "--ledger", testLedger}},
		{"not postgres", 2, "postgres://", []string{"status", "--db", "shop.db", "--ledger", testLedger}},
		{"unreachable", 2, "unreachable", []string{"status", "--db", "postgres://nobody:pw-never-printed@127.0.0.1:9/x?connect_timeout=2", "--ledger", testLedger}},
		{"ack without by", 2, "--by is required", []string{"ack", "abc", "--db", dsn, "--ledger", testLedger}},
		{"ack without id", 2, "halt ID", []string{"ack", "--by", "alice", "--db", dsn, "--ledger", testLedger}},
		{"ack when not halted", 1, "not halted", []string{"ack", "abc", "--by", "alice", "--db", dsn, "--ledger", testLedger}},
		{"unknown subcommand", 2, "unknown subcommand", []string{"frobnicate"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := deploysafe(t, nil, append([]string{"reaper"}, tc.args...)...)
			want(t, r, tc.code, tc.args...)
			noSecret(t, r, dsn)
			if strings.Contains(r.stderr, "pw-never-printed") {
				t.Errorf("the password was printed: %q", r.stderr)
			}
			if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "deploysafe: ") ||
				!strings.Contains(lines[0], tc.text) {
				t.Errorf("stderr %q, want one line mentioning %q", r.stderr, tc.text)
			}
		})
	}
	for _, args := range [][]string{{"reaper", "-h"}, {"reaper", "status", "-h"}, {"reaper", "ack", "--help"}} {
		r := deploysafe(t, nil, args...)
		want(t, r, 0, args...)
		if !strings.Contains(r.stdout+r.stderr, "-ledger") && !strings.Contains(r.stdout, "reaper <status|ack>") {
			t.Errorf("%v printed %q", args, r.stdout+r.stderr)
		}
	}
}

// TestReaperStatusWindowFromTheLedger: the quarantine deadline is the one
// the sweeping replicas apply: measured with the window their last sweep
// recorded in the ledger, whatever --quarantine-window says; the flag
// serves only a ledger that records none.
func TestReaperStatusWindowFromTheLedger(t *testing.T) {
	pool, dsn := reaperDB(t)
	s := newSweeper(t, pool, testLedger, reaper.QuarantineWindow(5*time.Hour))
	s.orphans["r007"] = true
	if _, err := s.r.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"--quarantine-window", "1h"}} {
		r := deploysafe(t, nil, append([]string{"reaper", "status", "--db", dsn, "--ledger", testLedger, "--json"}, args...)...)
		want(t, r, 0, "status")
		var st reaperStatusJSON
		if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
			t.Fatalf("status --json: %v\n%s", err, r.stdout)
		}
		if q := st.Quarantined; len(q) != 1 || q[0].Deadline == nil || !q[0].Deadline.Equal(q[0].QuarantinedAt.Add(5*time.Hour)) ||
			st.Window != "5h0m0s" || st.WindowFrom != "ledger" {
			t.Errorf("%v: %s, want r007's delete 5h after its quarantine, the window from the ledger", args, r.stdout)
		}
		r = deploysafe(t, nil, append([]string{"reaper", "status", "--db", dsn, "--ledger", testLedger}, args...)...)
		if !strings.Contains(r.stdout, "quarantined: 1 (window 5h0m0s, as the last sweep recorded it; ") {
			t.Errorf("%v: status printed\n%s", args, r.stdout)
		}
	}
}

// TestReaperUnknownLedgerCreatesNothing: status and ack of a ledger that
// is not there, in a database no reaper ever used, say so in one line
// (exit 2) and leave the database as they found it: no table created.
func TestReaperUnknownLedgerCreatesNothing(t *testing.T) {
	pool, dsn := reaperDB(t)
	for _, args := range [][]string{{"status"}, {"status", "--json"}, {"ack", "0123456789ab", "--by", "alice"}} {
		r := deploysafe(t, nil, append(append([]string{"reaper"}, args...), "--db", dsn, "--ledger", "servoz")...)
		want(t, r, 2, args...)
		noSecret(t, r, dsn)
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(r.stderr, `no reaper ledger "servoz"`) || r.stdout != "" {
			t.Errorf("%v: stdout %q stderr %q, want one line naming the ledger", args, r.stdout, r.stderr)
		}
		var n int
		if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").Scan(&n); err != nil || n != 0 {
			t.Fatalf("%v: %d tables in the schema afterwards (%v), want none", args, n, err)
		}
	}
}
