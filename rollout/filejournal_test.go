package rollout_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/deploysafe/deploysafe/rollout"
)

// The process dies at every deployer call (the fleet stops answering); a new process reopens the file
// journal and resumes. Every run ends with all targets on v2, none deployed
// twice, and (in a second pass) Abort returns all of them to v1.
func TestFileJournalKillAtEveryStepThenResumeOrAbort(t *testing.T) {
	targets := names("t", 6)
	for _, abort := range []bool{false, true} {
		for killAt := 1; killAt < 30; killAt++ {
			f := newFleet("v1", targets...)
			f.killAt, f.applyThenDie = killAt, killAt%2 == 0
			path := filepath.Join(t.TempDir(), "journal")
			p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")))
			ex, _ := rollout.New(f, rollout.FileJournal(path), rollout.Concurrency(2))
			ctx, kill := context.WithCancel(context.Background())
			f.onKill = kill
			_, err := ex.Run(ctx, p, p.Fingerprint())
			kill()
			if err == nil {
				if killAt <= 24 { // a clean run makes 24 deployer calls
					t.Fatalf("kill at %d: no kill happened", killAt)
				}
				continue
			}
			f.revive()
			ex2, _ := rollout.New(f, rollout.FileJournal(path)) // the new process
			var rep *rollout.Report
			if abort {
				rep, err = ex2.Abort(context.Background(), p, p.Fingerprint())
			} else {
				rep, err = ex2.Resume(context.Background(), p, p.Fingerprint())
			}
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
