package pgjournal_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/internal/testenv"
	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/pgjournal"
	"github.com/jackc/pgx/v5"
)

func TestLeaseRefusesASecondExecutor(t *testing.T) {
	dsn := schemaDSN(t)
	ctx := context.Background()
	a, err := openJournal(ctx, t, dsn, rname("checkout-v2"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openJournal(ctx, t, dsn, rname("checkout-v2")); !errors.Is(err, rollout.ErrInProgress) || !strings.Contains(err.Error(), "held by another executor") {
		t.Fatalf("second Open while held: %v", err)
	}
	other, err := openJournal(ctx, t, dsn, rname("search-v7")) // another rollout: its own lease
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	if err := a.Append(ctx, []byte(`{"k":"begin"}`)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b, err := openJournal(ctx, t, dsn, rname("checkout-v2"))
	if err != nil {
		t.Fatalf("Open after the holder closed: %v", err)
	}
	defer b.Close()
	recs, err := b.Load(ctx)
	if err != nil || len(recs) != 1 || string(recs[0]) != `{"k":"begin"}` {
		t.Fatalf("Load: %q, %v", recs, err)
	}
	if err := b.Append(ctx, []byte(`{"k":"end"}`)); err != nil {
		t.Fatal(err)
	}
	if recs, _ := b.Load(ctx); len(recs) != 2 {
		t.Fatalf("records after a second owner's append: %q", recs)
	}
}

// cancelFleet is an instant deployer whose first Deploy ends the run's
// context: the rollout stops, unfinished, in the journal.
type cancelFleet struct {
	memFleet
	cancel context.CancelFunc
}

func (c *cancelFleet) Deploy(ctx context.Context, t, v string) error {
	c.cancel()
	return c.memFleet.Deploy(ctx, t, v)
}

// A lease held by another live executor and a journal holding an
// unfinished rollout are different conditions with different messages;
// both match rollout.ErrInProgress, only the first ErrLeaseHeld.
func TestLeaseHeldIsNotAnUnfinishedRollout(t *testing.T) {
	dsn := schemaDSN(t)
	ctx := context.Background()
	a, err := openJournal(ctx, t, dsn, rname("checkout-v2"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	_, held := openJournal(ctx, t, dsn, rname("checkout-v2"))
	if !errors.Is(held, pgjournal.ErrLeaseHeld) || !errors.Is(held, rollout.ErrInProgress) ||
		!strings.HasPrefix(held.Error(), "pgjournal: lease held by another executor: ") || strings.Contains(held.Error(), "unfinished") {
		t.Errorf("second Open while held: %v", held)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ts := targets(8)
	p := plan(t, ts)
	ex, _ := rollout.New(&cancelFleet{memFleet: memFleet{cur: map[string]string{}}, cancel: cancel}, rollout.Journal(a))
	if rep, err := ex.Run(rctx, p, p.Fingerprint()); rep == nil || rep.Outcome != rollout.OutcomeInterrupted {
		t.Fatalf("interrupted Run: %v", err)
	}
	_, unfinished := ex.Run(ctx, p, p.Fingerprint())
	if !errors.Is(unfinished, rollout.ErrInProgress) || errors.Is(unfinished, pgjournal.ErrLeaseHeld) ||
		!strings.HasPrefix(unfinished.Error(), "rollout: unfinished rollout in journal: ") || strings.Contains(unfinished.Error(), "lease") {
		t.Errorf("Run on an unfinished journal: %v", unfinished)
	}
}

func TestRefusesANewerSchema(t *testing.T) {
	dsn := schemaDSN(t)
	ctx := context.Background()
	j, err := openJournal(ctx, t, dsn, rname("r"))
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE deploysafe_rollout_schema SET version = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := openJournal(ctx, t, dsn, rname("r")); !errors.Is(err, rollout.ErrJournal) || !strings.Contains(err.Error(), "version 2, newer than this package's 1") {
		t.Fatalf("Open on a newer schema: %v", err)
	}
}

// An unreachable database and a wrong password: the error names the host,
// never the password, and wraps ErrJournal; a rollout with it never starts.
func TestUnreachableNamesTheHostNotThePassword(t *testing.T) {
	cfg, err := pgx.ParseConfig(testenv.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, dsn := range []string{
		"postgres://deploy:hunter2-secret@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		// the real server, a role it does not know
		fmt.Sprintf("postgres://no_such_role:hunter2-secret@%s:%d/%s?sslmode=disable", cfg.Host, cfg.Port, cfg.Database),
	} {
		_, err := openJournal(ctx, t, dsn, rname("r"))
		if !errors.Is(err, rollout.ErrJournal) || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "@127.0.0.1:") {
			t.Errorf("Open(%s): %v", strings.Replace(dsn, "hunter2-secret", "…", 1), err)
		}
	}
}

// The holder's connection is cut mid-rollout (pg_terminate_backend): its
// next append fails and the rollout stops; another replica takes the lease
// and resumes, and no target is deployed twice.
func TestLostConnectionStopsTheHolderAndAnotherResumes(t *testing.T) {
	dsn := schemaDSN(t)
	ctx := context.Background()
	ts := targets(8)
	f := newPGFleet(t, dsn, ts)
	// The holder's lease connection carries an application name of its own,
	// and only that backend is terminated: the server may be shared.
	holderApp := appName(t, "holder")
	j, err := openJournal(ctx, t, withParam(dsn, "application_name", holderApp), rname("cut"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	// A bystander: another application's session on the same server whose
	// last query mentions the journal table. It must survive the test.
	bystander, err := pgx.Connect(ctx, withParam(dsn, "application_name", appName(t, "bystander")))
	if err != nil {
		t.Fatal(err)
	}
	defer bystander.Close(ctx)
	if _, err := bystander.Exec(ctx, `SELECT count(*) FROM deploysafe_rollout_journal`); err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var cut int
	f.onApply = func(target string) {
		if target == "site05" { // mid-wave 3: cut the holder's lease connection, and only it
			_ = admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`, holderApp).Scan(&cut)
		}
	}
	p := plan(t, ts)
	ex, _ := rollout.New(f, rollout.Journal(j))
	rep, err := ex.Run(ctx, p, p.Fingerprint())
	if !errors.Is(err, rollout.ErrJournal) || rep.Outcome != rollout.OutcomeInterrupted {
		t.Fatalf("Run after losing the lease: %v", err)
	}
	f.onApply = nil
	if cut != 1 {
		t.Fatalf("terminated %d backends named %s, want the holder's 1", cut, holderApp)
	}
	if err := bystander.Ping(ctx); err != nil {
		t.Errorf("the bystander's session was cut: %v", err)
	}
	j2 := openRetry(t, dsn, rname("cut"))
	defer j2.Close()
	ex2, _ := rollout.New(f, rollout.Journal(j2))
	if _, err := ex2.Resume(ctx, p, p.Fingerprint()); err != nil {
		t.Fatalf("Resume on the second replica: %v", err)
	}
	for tg, s := range f.state(t) {
		if s[0] != "v2" || s[1] != 1 {
			t.Errorf("%s: %v (want v2, deployed once)", tg, s)
		}
	}
}

// openRetry opens the journal, waiting (bounded) for the server to notice
// that the previous holder is gone.
func openRetry(tb testing.TB, dsn, name string) *pgjournal.Journal {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := openJournal(context.Background(), tb, dsn, name)
		if err == nil {
			return j
		}
		if !errors.Is(err, rollout.ErrInProgress) || time.Now().After(deadline) {
			tb.Fatalf("Open: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHelperReplica is the executor process that gets SIGKILLed mid-wave.
func TestHelperReplica(t *testing.T) {
	dsn := os.Getenv("PGJOURNAL_REPLICA_DSN")
	if dsn == "" {
		return // not the child
	}
	marker := os.Getenv("PGJOURNAL_REPLICA_MARKER")
	f := openPGFleet(t, dsn)
	f.onApply = func(target string) {
		if target == "site05" { // applied, then the process dies before Deploy returns
			_ = os.WriteFile(marker, nil, 0o600)
			select {}
		}
	}
	j, err := openJournal(context.Background(), t, dsn, rname("replicated"))
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := rollout.New(f, rollout.Journal(j), rollout.Concurrency(2))
	p := plan(t, targets(8))
	_, _ = ex.Run(context.Background(), p, p.Fingerprint())
	t.Fatal("the replica was not killed")
}

// Two replicas, real processes: the first is SIGKILLed mid-wave while it
// holds the lease; meanwhile the second cannot take it; once the server
// ends the dead session, the second resumes and finishes; every target is
// deployed exactly once.
func TestReplicaKilledMidWaveAnotherFinishes(t *testing.T) {
	if os.Getenv("PGJOURNAL_REPLICA_DSN") != "" {
		return // in the child
	}
	dsn := schemaDSN(t)
	ts := targets(8)
	f := newPGFleet(t, dsn, ts)
	marker := filepath.Join(t.TempDir(), "in-deploy")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperReplica$")
	cmd.Env = append(os.Environ(), "PGJOURNAL_REPLICA_DSN="+dsn, "PGJOURNAL_REPLICA_MARKER="+marker)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the replica never reached wave 3")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := openJournal(context.Background(), t, dsn, rname("replicated")); !errors.Is(err, rollout.ErrInProgress) {
		t.Fatalf("second replica while the first holds the lease: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	j := openRetry(t, dsn, rname("replicated"))
	defer j.Close()
	ex, _ := rollout.New(f, rollout.Journal(j))
	p := plan(t, ts)
	rep, err := ex.Resume(context.Background(), p, p.Fingerprint())
	if err != nil || rep.Outcome != rollout.OutcomeSucceeded {
		t.Fatalf("Resume on the second replica: %v", err)
	}
	for tg, s := range f.state(t) {
		if s[0] != "v2" || s[1] != 1 {
			t.Errorf("%s: %v (want v2, deployed exactly once)", tg, s)
		}
	}
}
