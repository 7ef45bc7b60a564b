package pgreaper_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/internal/testenv"
	"github.com/deploysafe/deploysafe/reaper"
	"github.com/deploysafe/deploysafe/reaper/pgreaper"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The multi-replica test: three reaper processes share one ledger and
// lease, their clocks 48 hours ahead, 48 hours behind and right. The lease
// holder is SIGKILLed between recording an action's intent and its
// outcome; another replica takes over.

const (
	roleEnv   = "PGREAPER_TEST_ROLE"
	replicaN  = 3
	orphansN  = 5
	graceT    = time.Second
	windowT   = time.Second
	testTable = `
CREATE TABLE actions (key text PRIMARY KEY, act text NOT NULL, resource text NOT NULL, replica int NOT NULL, at timestamptz NOT NULL);
CREATE TABLE audit (seq bigserial PRIMARY KEY, replica int NOT NULL, sweep bigint NOT NULL, kind text NOT NULL, msg text NOT NULL);
CREATE TABLE killed (pid int NOT NULL);`
)

var skews = [replicaN]time.Duration{48 * time.Hour, -48 * time.Hour, 0}

func TestReplicasSurviveSIGKILLOfTheHolder(t *testing.T) {
	pool, adm := database(t)
	ctx := context.Background()
	if _, _, err := pgreaper.Open(ctx, pool, "servos"); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.Exec(ctx, testTable); err != nil {
		t.Fatal(err)
	}
	var schema string
	adm.QueryRow(ctx, "SELECT current_schema()").Scan(&schema)
	var start time.Time
	adm.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&start)

	held := make(chan int, replicaN) // a child that acted and now waits to be killed
	var cmds []*exec.Cmd
	readers := make(chan struct{}, replicaN)
	for id := 0; id < replicaN; id++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperReplica$", "-test.v")
		cmd.Env = append(os.Environ(), roleEnv+"=replica", "PGREAPER_TEST_ID="+strconv.Itoa(id), "PGREAPER_TEST_SCHEMA="+schema)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		go func(id int) {
			defer func() { readers <- struct{}{} }()
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "HOLDING") {
					held <- id
				}
			}
		}(id)
	}
	defer func() {
		for _, c := range cmds {
			c.Process.Kill()
			c.Wait()
		}
		for range cmds {
			<-readers
		}
	}()

	deadline := time.After(90 * time.Second)
	victim := -1
	for done := false; !done; {
		select {
		case id := <-held:
			if victim >= 0 {
				t.Fatalf("replica %d also waits to be killed", id)
			}
			victim = id
			if err := cmds[id].Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmds[id].Wait()
			adm.Exec(ctx, "INSERT INTO killed VALUES ($1)", cmds[id].Process.Pid)
		case <-deadline:
			t.Fatal("the orphans were not all deleted in time")
		case <-time.After(100 * time.Millisecond):
			var deleted int
			adm.QueryRow(ctx, "SELECT count(*) FROM actions WHERE act = 'delete'").Scan(&deleted)
			done = deleted == orphansN
		}
	}
	if victim < 0 {
		t.Fatal("no replica was killed")
	}

	// No resource acted on twice: one key per action and resource (the
	// retry after the kill reused the victim's key, and the idempotent
	// deprovisioner did not act again).
	var twice int
	adm.QueryRow(ctx, "SELECT count(*) FROM (SELECT act, resource FROM actions GROUP BY 1, 2 HAVING count(*) > 1) d").Scan(&twice)
	if twice != 0 {
		t.Fatalf("%d resources acted on twice", twice)
	}
	// None before grace and quarantine, on the database's clock.
	rows, _ := adm.Query(ctx, `SELECT q.resource, q.at, d.at, q.replica, d.replica FROM actions q JOIN actions d
		ON d.resource = q.resource AND d.act = 'delete' WHERE q.act = 'quarantine'`)
	n, replicasActing := 0, map[int]bool{}
	for rows.Next() {
		var id string
		var q, d time.Time
		var qr, dr int
		rows.Scan(&id, &q, &d, &qr, &dr)
		n++
		replicasActing[qr], replicasActing[dr] = true, true
		if q.Sub(start) < graceT || d.Sub(q) < windowT {
			t.Errorf("%s: quarantined %v after the start, deleted %v after quarantine", id, q.Sub(start), d.Sub(q))
		}
	}
	rows.Close()
	if n != orphansN {
		t.Fatalf("%d orphans quarantined and deleted, want %d", n, orphansN)
	}
	if len(replicasActing) < 2 {
		t.Fatalf("only replicas %v acted: no takeover", replicasActing)
	}
	// The audit is continuous: every sweep number from 1 to the last
	// appears, the killed replica's last sweep included.
	var first, last, distinct int
	adm.QueryRow(ctx, "SELECT min(sweep), max(sweep), count(DISTINCT sweep) FROM audit").Scan(&first, &last, &distinct)
	if first != 1 || distinct != last {
		t.Fatalf("audit sweeps %d..%d with %d distinct: a gap", first, last, distinct)
	}
	var victimActs int
	adm.QueryRow(ctx, "SELECT count(*) FROM audit WHERE replica = $1 AND kind = 'recheck'", victim).Scan(&victimActs)
	if victimActs == 0 {
		t.Fatal("the killed replica's re-check before its action is not in the audit")
	}
}

// TestHelperReplica is one replica process of the test above; it does
// nothing unless started by it.
func TestHelperReplica(t *testing.T) {
	if os.Getenv(roleEnv) != "replica" {
		return
	}
	id, _ := strconv.Atoi(os.Getenv("PGREAPER_TEST_ID"))
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(testenv.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = os.Getenv("PGREAPER_TEST_SCHEMA")
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ledger, lease, err := pgreaper.Open(ctx, pool, "servos")
	if err != nil {
		t.Fatal(err)
	}
	var rs []reaper.Resource
	for i := 0; i < 200; i++ {
		rs = append(rs, reaper.Resource{ID: fmt.Sprintf("r%03d", i)})
	}
	orphan := func(_ context.Context, r reaper.Resource) (reaper.Vote, error) {
		if n, _ := strconv.Atoi(r.ID[1:]); n < orphansN {
			return reaper.Vote{Verdict: reaper.Orphan, Evidence: "no owner"}, nil
		}
		return reaper.Vote{Verdict: reaper.Alive, Evidence: "owned"}, nil
	}
	lim := reaper.DefaultLimits()
	lim.Rate, lim.MaxFraction, lim.MaxStratumFraction = 1e9, 1, 1
	r, err := reaper.New(inv{rs}, []reaper.Observer{reaper.ObserverFunc("a", "a", orphan), reaper.ObserverFunc("b", "b", orphan)},
		&idempotent{pool: pool, id: id}, ledger, reaper.Elect(lease), reaper.Act(reaper.Delete, 0),
		reaper.Grace(2, graceT), reaper.QuarantineWindow(windowT), reaper.Limit(lim),
		reaper.Clock(func() time.Time { return time.Now().Add(skews[id]) }),
		reaper.Logger(slog.New(&auditTable{pool: pool, id: id})))
	if err != nil {
		t.Fatal(err)
	}
	for {
		r.Sweep(ctx) // ErrLeaseHeld on all but one; the parent ends the process
		time.Sleep(50 * time.Millisecond)
	}
}

// idempotent is a deprovisioner that acts once per key, recording each
// action with the database's clock; the first replica to act then waits,
// its outcome not yet recorded, to be killed.
type idempotent struct {
	pool *pgxpool.Pool
	id   int
}

func (d *idempotent) do(ctx context.Context, act string, r reaper.Resource, pre reaper.Precondition) error {
	tag, err := d.pool.Exec(ctx, `INSERT INTO actions (key, act, resource, replica, at)
		VALUES ($1, $2, $3, $4, clock_timestamp()) ON CONFLICT (key) DO NOTHING`, pre.Key, act, r.ID, d.id)
	if err != nil || tag.RowsAffected() == 0 {
		return err // done before, under this key: do not act again
	}
	var killed int
	if err := d.pool.QueryRow(ctx, "SELECT count(*) FROM killed").Scan(&killed); err != nil {
		return err
	}
	if killed == 0 {
		fmt.Println("HOLDING", os.Getpid())
		select {} // the parent SIGKILLs this process now
	}
	return nil
}
func (d *idempotent) Quarantine(ctx context.Context, r reaper.Resource, pre reaper.Precondition) error {
	return d.do(ctx, "quarantine", r, pre)
}
func (d *idempotent) Restore(ctx context.Context, r reaper.Resource, pre reaper.Precondition) error {
	return d.do(ctx, "restore", r, pre)
}
func (d *idempotent) Delete(ctx context.Context, r reaper.Resource, pre reaper.Precondition) error {
	return d.do(ctx, "delete", r, pre)
}

// auditTable writes the audit, without the per-resource verdicts, to a
// table every replica shares.
type auditTable struct {
	pool *pgxpool.Pool
	id   int
}

func (*auditTable) Enabled(context.Context, slog.Level) bool { return true }
func (a *auditTable) WithAttrs([]slog.Attr) slog.Handler     { return a }
func (a *auditTable) WithGroup(string) slog.Handler          { return a }
func (a *auditTable) Handle(ctx context.Context, r slog.Record) error {
	var kind string
	var sweep uint64
	r.Attrs(func(at slog.Attr) bool {
		switch at.Key {
		case "kind":
			kind = at.Value.String()
		case "sweep":
			sweep = at.Value.Uint64()
		}
		return true
	})
	if kind == "verdict" {
		return nil
	}
	_, err := a.pool.Exec(ctx, "INSERT INTO audit (replica, sweep, kind, msg) VALUES ($1, $2, $3, $4)", a.id, sweep, kind, r.Message)
	return err
}
