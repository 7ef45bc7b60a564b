package rollout_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/deploysafe/deploysafe/rollout"
)

// dyingJournal forwards to a file journal until its fleet dies.
type dyingJournal struct {
	fj *rollout.FileJournal
	f  *fleet
}

func (j *dyingJournal) Append(ctx context.Context, r rollout.Record) error {
	j.f.mu.Lock()
	dead, _ := j.f.step()
	j.f.mu.Unlock()
	if dead {
		return errKilled
	}
	return j.fj.Append(ctx, r)
}

func (j *dyingJournal) Load(ctx context.Context) ([]rollout.Record, error) { return j.fj.Load(ctx) }

// The process dies at every possible point; a new process reopens the file
// journal and resumes. Every run ends with all targets on v2, none deployed
// twice, and (in a second pass) Abort returns all of them to v1.
func TestFileJournalKillAtEveryStepThenResumeOrAbort(t *testing.T) {
	targets := names("t", 6)
	for _, abort := range []bool{false, true} {
		for killAt := 1; killAt < 60; killAt++ {
			f := newFleet("v1", targets...)
			f.killAt, f.applyThenDie = killAt, killAt%2 == 0
			path := filepath.Join(t.TempDir(), "journal")
			fj, err := rollout.OpenFileJournal(path)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")))
			ex, _ := rollout.New(f, rollout.WithJournal(&dyingJournal{fj: fj, f: f}), rollout.Concurrency(2))
			rep, err := ex.Run(context.Background(), p, p.Fingerprint())
			fj.Close()
			if err == nil {
				if killAt < 40 {
					t.Fatalf("kill at %d: no kill happened", killAt)
				}
				continue
			}
			f.revive()
			fj2, err := rollout.OpenFileJournal(path) // the new process
			if err != nil {
				t.Fatal(err)
			}
			ex2, _ := rollout.New(f, rollout.WithJournal(fj2))
			if abort {
				rep, err = ex2.Abort(context.Background(), p, p.Fingerprint())
			} else {
				rep, err = ex2.Resume(context.Background(), p, p.Fingerprint())
			}
			fj2.Close()
			if errors.Is(err, rollout.ErrNothingToResume) {
				if len(f.touched()) != 0 {
					t.Fatalf("kill at %d: journal lost touched targets %v", killAt, f.touched())
				}
				continue
			}
			want := "v2"
			if abort {
				want = "v1"
			}
			if err != nil || (rep.Outcome != rollout.OutcomeSucceeded && rep.Outcome != rollout.OutcomeAborted) {
				t.Fatalf("kill at %d abort=%v: %v", killAt, abort, err)
			}
			for _, tg := range targets {
				if f.version(tg) != want {
					t.Fatalf("kill at %d abort=%v: %s runs %s", killAt, abort, tg, f.version(tg))
				}
				if max := map[bool]int{true: 2, false: 1}[tg == "t00"]; f.deploys[tg] > max {
					t.Fatalf("kill at %d: %s deployed %d times", killAt, tg, f.deploys[tg])
				}
			}
			if len(f.violation) > 0 {
				t.Fatalf("kill at %d: %v", killAt, f.violation)
			}
		}
	}
}
