package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/pgjournal"
	"github.com/jackc/pgx/v5/pgxpool"
)

// fleet is targets on v1 in memory; deploying to fail fails, and ctx's
// cancel (if set) is called on the first deploy.
type fleet struct {
	mu     sync.Mutex
	cur    map[string]string
	fail   string
	cancel context.CancelFunc
}

func (f *fleet) Deploy(_ context.Context, t, v string) error {
	if f.cancel != nil {
		f.cancel()
	}
	if t == f.fail {
		return errors.New("deploy tool: exit 3")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cur[t] = v
	return nil
}
func (f *fleet) Rollback(_ context.Context, t string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cur[t] = "v1"
	return nil
}
func (f *fleet) Version(_ context.Context, t string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.cur[t]; ok {
		return v, nil
	}
	return "v1", nil
}

func rolloutPlan(t *testing.T) *rollout.Plan {
	t.Helper()
	var ts []string
	for i := range 8 {
		ts = append(ts, fmt.Sprintf("site%02d", i))
	}
	gate := rollout.Gate{Name: "g", Deadline: 10 * time.Second, Check: func(context.Context, rollout.GateInput) error { return nil }}
	p, err := rollout.NewPlan("v2", ts, rollout.Gates(gate), rollout.NoRehearsal(), rollout.Waves(ts[:1], ts[1:4], ts[4:]))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runRolloutIn runs the plan through a pgjournal journal named name and
// returns the journal, still open (its lease held) if keep.
func runRolloutIn(t *testing.T, dsn, name string, f *fleet, ctx context.Context, keep bool) *pgjournal.Journal {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	j, err := pgjournal.Open(context.Background(), pool, name)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := rollout.New(f, rollout.Journal(j))
	if err != nil {
		t.Fatal(err)
	}
	p := rolloutPlan(t)
	ex.Run(ctx, p, p.Fingerprint())
	if !keep {
		j.Close()
		return nil
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func rolloutStatusOf(t *testing.T, r result) rolloutStatusJSON {
	t.Helper()
	var s rolloutStatusJSON
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("rollout status --json: %v\n%s", err, r.stdout)
	}
	return s
}

// TestRolloutStatus: a succeeded rollout (exit 0), one rolled back (exit
// 1, the failed target's error), one interrupted while its executor still
// holds the lease (running: exit 0) and once it is gone (exit 1: Resume or
// Abort); read without taking the lease, and without writing.
func TestRolloutStatus(t *testing.T) {
	_, dsn := reaperDB(t)
	p := rolloutPlan(t)
	runRolloutIn(t, dsn, "ok", &fleet{cur: map[string]string{}}, context.Background(), false)
	runRolloutIn(t, dsn, "bad", &fleet{cur: map[string]string{}, fail: "site02"}, context.Background(), false)
	ctx, cancel := context.WithCancel(context.Background())
	live := runRolloutIn(t, dsn, "live", &fleet{cur: map[string]string{}, cancel: cancel}, ctx, true)

	r := deploysafe(t, nil, "rollout", "status", "--db", dsn, "--rollout", "ok")
	want(t, r, 0, "status of a succeeded rollout")
	noSecret(t, r, dsn)
	for _, w := range []string{"rollout ok: version v2, plan fingerprint " + p.Fingerprint(), "outcome: succeeded", "lease: free",
		"wave 1: passed\nwave 2: passed\nwave 3: passed\n", "targets: 8\n", "  site07  wave 3  deployed (was v1)"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("status printed\n%s\nwant %q", r.stdout, w)
		}
	}
	r = deploysafe(t, nil, "rollout", "status", "--db", dsn, "--rollout", "bad", "--json")
	want(t, r, 1, "status of a rolled-back rollout")
	s := rolloutStatusOf(t, r)
	if s.Outcome != string(rollout.OutcomeRolledBack) || s.Healthy || s.WavesPassed != 1 || len(s.Waves) != 2 || s.Waves[1].State != "stopped: rolled back" {
		t.Errorf("rolled back: %s", r.stdout)
	}
	var site02 *targetJSON
	for i := range s.Targets {
		if s.Targets[i].Target == "site02" {
			site02 = &s.Targets[i]
		}
	}
	if site02 == nil || site02.Wave != 2 || site02.State != string(rollout.StateRolledBack) || site02.Previous != "v1" {
		t.Errorf("site02: %+v in %s", site02, r.stdout)
	}

	r = deploysafe(t, nil, "rollout", "status", "--db", dsn, "--rollout", "live", "--json")
	want(t, r, 0, "status of a rollout its executor still holds")
	if s := rolloutStatusOf(t, r); !s.Running || s.Outcome != "" || len(s.Waves) != 1 || s.Waves[0].State != "in progress" {
		t.Errorf("live: %s", r.stdout)
	}
	// The status did not take the lease: the executor still has it.
	if err := live.Append(context.Background(), []byte(`{"k":"unknown","t":"site00","n":"test"}`)); err != nil {
		t.Fatalf("the holder's journal after status: %v", err)
	}
	live.Close()
	r = deploysafe(t, nil, "rollout", "status", "--db", dsn, "--rollout", "live")
	want(t, r, 1, "status of an interrupted rollout")
	if !strings.Contains(r.stdout, "interrupted, no live executor; Resume or Abort it") || !strings.Contains(r.stdout, "wave 1: interrupted") ||
		!strings.Contains(r.stdout, "site00  wave 1  unknown (was v1): test") {
		t.Errorf("interrupted: %s", r.stdout)
	}

	for _, tc := range []struct {
		code int
		text string
		args []string
	}{
		{2, `no journal of rollout "nope"`, []string{"--db", dsn, "--rollout", "nope"}},
		{2, "--rollout is required", []string{"--db", dsn}},
		{2, "postgres://", []string{"--db", "shop.db", "--rollout", "ok"}},
		{2, "database unreachable", []string{"--db", "postgres://nobody:pw-never-printed@127.0.0.1:9/x?connect_timeout=2", "--rollout", "ok"}},
	} {
		r := deploysafe(t, nil, append([]string{"rollout", "status"}, tc.args...)...)
		want(t, r, tc.code, tc.args...)
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(r.stderr, tc.text) || strings.Contains(r.stderr, "pw-never-printed") {
			t.Errorf("%v: stderr %q, want one line with %q", tc.args, r.stderr, tc.text)
		}
	}
	want(t, deploysafe(t, nil, "rollout", "status", "-h"), 0, "rollout status -h")
}

// runRolloutFile runs the plan with a file journal at path.
func runRolloutFile(t *testing.T, path string, f *fleet, ctx context.Context) {
	t.Helper()
	ex, err := rollout.New(f, rollout.FileJournal(path))
	if err != nil {
		t.Fatal(err)
	}
	p := rolloutPlan(t)
	ex.Run(ctx, p, p.Fingerprint())
}

// TestRolloutStatusFileJournal: rollout status --journal reads a
// FileJournal: a succeeded rollout (exit 0), one rolled back (exit 1),
// one interrupted (exit 1: a file journal cannot tell a running rollout
// from an abandoned one, and says so); it writes nothing, and a missing
// file, a file of no rollout, or both --db and --journal, are one line.
func TestRolloutStatusFileJournal(t *testing.T) {
	dir := t.TempDir()
	p := rolloutPlan(t)
	ok, bad, cut := filepath.Join(dir, "ok.journal"), filepath.Join(dir, "bad.journal"), filepath.Join(dir, "cut.journal")
	runRolloutFile(t, ok, &fleet{cur: map[string]string{}}, context.Background())
	runRolloutFile(t, bad, &fleet{cur: map[string]string{}, fail: "site02"}, context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	runRolloutFile(t, cut, &fleet{cur: map[string]string{}, cancel: cancel}, ctx)

	r := deploysafe(t, nil, "rollout", "status", "--journal", ok)
	want(t, r, 0, "status of a succeeded rollout")
	for _, w := range []string{"rollout " + ok + ": version v2, plan fingerprint " + p.Fingerprint(), "outcome: succeeded",
		"lease: not tracked by a file journal", "wave 1: passed\nwave 2: passed\nwave 3: passed\n", "targets: 8\n", "  site07  wave 3  deployed (was v1)"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("status printed\n%s\nwant %q", r.stdout, w)
		}
	}
	r = deploysafe(t, nil, "rollout", "status", "--journal", bad, "--json")
	want(t, r, 1, "status of a rolled-back rollout")
	if s := rolloutStatusOf(t, r); s.Outcome != string(rollout.OutcomeRolledBack) || s.Healthy || s.Running || s.Lease != "untracked" ||
		len(s.Waves) != 2 || s.Waves[1].State != "stopped: rolled back" || s.Rollout != bad {
		t.Errorf("rolled back: %s", r.stdout)
	}
	before, err := os.ReadFile(cut)
	if err != nil {
		t.Fatal(err)
	}
	r = deploysafe(t, nil, "rollout", "status", "--journal", cut)
	want(t, r, 1, "status of an interrupted rollout")
	if !strings.Contains(r.stdout, "outcome: none yet: running, or interrupted (a file journal cannot tell which)") ||
		!strings.Contains(r.stdout, "wave 1: unfinished") || !strings.Contains(r.stdout, "lease: not tracked by a file journal") {
		t.Errorf("interrupted: %s", r.stdout)
	}
	r = deploysafe(t, nil, "rollout", "status", "--journal", cut, "--json")
	if s := rolloutStatusOf(t, r); s.Outcome != "" || s.Healthy || s.Running || s.Lease != "untracked" {
		t.Errorf("interrupted --json: %s", r.stdout)
	}
	if after, _ := os.ReadFile(cut); !bytes.Equal(after, before) {
		t.Errorf("status changed the journal")
	}

	missing := filepath.Join(dir, "nope.journal")
	empty := filepath.Join(dir, "empty.journal")
	os.WriteFile(empty, []byte("deploysafe-rollout-journal v1\n"), 0o600)
	for _, tc := range []struct {
		code int
		text string
		args []string
	}{
		{2, "no journal file " + missing, []string{"--journal", missing}},
		{2, "holds no rollout", []string{"--journal", empty}},
		{2, "--db or --journal, not both", []string{"--journal", ok, "--db", "postgres://x@127.0.0.1:9/x", "--rollout", "ok"}},
		{2, "--rollout names a journal of --db", []string{"--journal", ok, "--rollout", "ok"}},
		{2, "want --db (pgjournal) or --journal (a file journal)", []string{"--rollout", "ok"}},
	} {
		r := deploysafe(t, nil, append([]string{"rollout", "status"}, tc.args...)...)
		want(t, r, tc.code, tc.args...)
		if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(r.stderr, tc.text) {
			t.Errorf("%v: stderr %q, want one line with %q", tc.args, r.stderr, tc.text)
		}
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("status created the missing journal: %v", err)
	}
}
