package rollout_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// diskFleet is a fleet whose state is a file, so that it outlives the
// process driving the rollout. Its census blocks forever at census number
// hangAt (the parent kills the process then), after writing a marker file.
type diskFleet struct {
	mu     sync.Mutex
	path   string
	hangAt int
}

type diskState struct {
	Cur, Prev map[string]string
	Deploys   map[string]int
	Censuses  int
}

func (d *diskFleet) load() diskState {
	var s diskState
	b, err := os.ReadFile(d.path)
	if err == nil {
		_ = json.Unmarshal(b, &s)
	}
	return s
}

func (d *diskFleet) save(s diskState) {
	b, _ := json.Marshal(s)
	tmp := d.path + ".tmp"
	_ = os.WriteFile(tmp, b, 0o600)
	_ = os.Rename(tmp, d.path)
}

func (d *diskFleet) Deploy(_ context.Context, t, v string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.load()
	s.Prev[t], s.Cur[t] = s.Cur[t], v
	s.Deploys[t]++
	d.save(s)
	return nil
}

func (d *diskFleet) Rollback(_ context.Context, t string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.load()
	s.Cur[t] = s.Prev[t]
	d.save(s)
	return nil
}

func (d *diskFleet) Version(_ context.Context, t string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.load().Cur[t], nil
}

func (d *diskFleet) Census(_ context.Context, add func(t, v string)) error {
	d.mu.Lock()
	s := d.load()
	s.Censuses++
	d.save(s)
	d.mu.Unlock()
	if s.Censuses == d.hangAt {
		_ = os.WriteFile(d.path+".in-census", nil, 0o600)
		select {} // killed here, in the middle of the census
	}
	for t, v := range s.Cur {
		add(t, v)
	}
	return nil
}

func crashPlan(tb testing.TB) *rollout.Plan {
	tb.Helper()
	p, err := rollout.NewPlan("v2", names("t", 8), rollout.Gates(pass("g")))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestHelperCensusChild is the process that gets killed: it runs the
// rollout with a FileJournal until its census hangs.
func TestHelperCensusChild(t *testing.T) {
	dir := os.Getenv("ROLLOUT_CRASH_DIR")
	if dir == "" {
		return // not the child
	}
	hangAt, _ := strconv.Atoi(os.Getenv("ROLLOUT_CRASH_CENSUS"))
	d := &diskFleet{path: filepath.Join(dir, "fleet.json"), hangAt: hangAt}
	ex, err := rollout.New(d, rollout.FileJournal(filepath.Join(dir, "journal")), rollout.Concurrency(2))
	if err != nil {
		t.Fatal(err)
	}
	p := crashPlan(t)
	_, _ = ex.Run(context.Background(), p, p.Fingerprint())
	t.Fatal("the child was not killed in its census")
}

// A real process is killed (SIGKILL) in the middle of a census, at every
// census of the rollout; a new process resumes from the file journal and
// finishes: every target on v2, none deployed twice (the canary twice,
// rehearsal), and the census baseline of the first process is kept.
func TestKillMidCensusThenResume(t *testing.T) {
	if os.Getenv("ROLLOUT_CRASH_DIR") != "" {
		return // in the child
	}
	targets := names("t", 8)
	for hangAt := 1; hangAt <= 6; hangAt++ {
		dir := t.TempDir()
		d := &diskFleet{path: filepath.Join(dir, "fleet.json")}
		st := diskState{Cur: map[string]string{"x00": "v1"}, Prev: map[string]string{}, Deploys: map[string]int{}}
		for _, tg := range targets {
			st.Cur[tg] = "v1"
		}
		d.save(st)
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCensusChild$")
		cmd.Env = append(os.Environ(), "ROLLOUT_CRASH_DIR="+dir, "ROLLOUT_CRASH_CENSUS="+strconv.Itoa(hangAt))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		marker := d.path + ".in-census"
		deadline := time.Now().Add(time.Minute)
		for {
			if _, err := os.Stat(marker); err == nil {
				break
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("census %d: the child never reached it", hangAt)
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		ex, _ := rollout.New(d, rollout.FileJournal(filepath.Join(dir, "journal")))
		p := crashPlan(t)
		rep, err := ex.Resume(context.Background(), p, p.Fingerprint())
		if err != nil || rep.Outcome != rollout.OutcomeSucceeded {
			t.Fatalf("census %d: Resume: %v", hangAt, err)
		}
		end := d.load()
		for _, tg := range targets {
			want := 1
			if tg == "t00" {
				want = 2 // deployed, rehearsed, deployed again
			}
			if end.Cur[tg] != "v2" || end.Deploys[tg] != want {
				t.Fatalf("census %d: %s on %s, deployed %d times (want %d)", hangAt, tg, end.Cur[tg], end.Deploys[tg], want)
			}
		}
		if end.Cur["x00"] != "v1" || end.Deploys["x00"] != 0 {
			t.Fatalf("census %d: off-plan x00 touched", hangAt)
		}
	}
}
