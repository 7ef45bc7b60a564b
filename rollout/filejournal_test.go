package rollout_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"

	"github.com/deploysafe/deploysafe/rollout"
)

// The process dies at every deployer call (the fleet stops answering); a new process reopens the file
// journal and resumes. Every run ends with all targets on v2, none deployed
// twice, and (in a second pass) Abort returns all of them to v1.
func TestFileJournalKillAtEveryStepThenResumeOrAbort(t *testing.T) {
	for _, abort := range []bool{false, true} {
		for killAt := 1; killAt < 30; killAt++ {
			killThenRecover(t, killAt, abort, 24, func(f *fleet, path string) rollout.Option {
				f.applyThenDie = killAt%2 == 0
				return rollout.FileJournal(path)
			})
		}
	}
}

// The process dies at every step, journal appends counted with the deployer
// calls: at an append, the record is lost, written whole, or torn halfway
// (the last bytes a crash leaves). The next process repairs the file and
// resumes or aborts, with the same guarantees.
func TestFileJournalKillAtEveryAppendThenResumeOrAbort(t *testing.T) {
	ops := cleanRunOps(t)
	if ops < 40 { // 24 deployer calls and at least one record per deploy
		t.Fatalf("a clean run makes %d ops, want deployer calls and journal appends", ops)
	}
	for _, abort := range []bool{false, true} {
		for _, mode := range []appendDeath{lost, written, torn} {
			for killAt := 1; killAt <= ops+1; killAt++ {
				killThenRecover(t, killAt, abort, ops, func(f *fleet, path string) rollout.Option {
					j, err := rollout.OpenFileJournal(path)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { j.Close() })
					return rollout.Journal(&dyingJournal{f: f, j: j, path: path, mode: mode})
				})
			}
		}
	}
}

// cleanRunOps is how many ops (deployer calls and journal appends) a clean
// run of killThenRecover's rollout makes.
func cleanRunOps(t *testing.T) int {
	t.Helper()
	f := newFleet("v1", names("t", 6)...)
	path := filepath.Join(t.TempDir(), "journal")
	j, err := rollout.OpenFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	p, _ := rollout.NewPlan("v2", names("t", 6), rollout.Gates(pass("g")))
	ex, err := rollout.New(f, rollout.Journal(&dyingJournal{f: f, j: j, path: path}), rollout.Concurrency(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Run(context.Background(), p, p.Fingerprint()); err != nil {
		t.Fatal(err)
	}
	return f.ops
}

// killThenRecover runs a rollout of 6 targets that dies at op killAt (the
// option says where ops are counted), then resumes or aborts it in a new
// process with a FileJournal on the same file, and checks the fleet.
// cleanOps > 0 is how many ops a clean run makes: a run that ends without
// a kill at or below it fails the test.
//
// It runs in a synctest bubble: a Resume after a process died between an
// intent and its outcome waits out the call's deadline (5 minutes), at once.
func killThenRecover(t *testing.T, killAt int, abort bool, cleanOps int, journal func(f *fleet, path string) rollout.Option) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) { killThenRecoverIn(t, killAt, abort, cleanOps, journal) })
}

func killThenRecoverIn(t *testing.T, killAt int, abort bool, cleanOps int, journal func(f *fleet, path string) rollout.Option) {
	t.Helper()
	targets := names("t", 6)
	f := newFleet("v1", targets...)
	f.killAt = killAt
	path := filepath.Join(t.TempDir(), "journal")
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")))
	ex, err := rollout.New(f, journal(f, path), rollout.Concurrency(2))
	if err != nil {
		t.Fatal(err)
	}
	ctx, kill := context.WithCancel(context.Background())
	f.onKill = kill
	_, err = ex.Run(ctx, p, p.Fingerprint())
	kill()
	if err == nil {
		if killAt <= cleanOps {
			t.Fatalf("kill at %d: no kill happened", killAt)
		}
		return
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
		// Nothing to resume is right before any target was touched, or
		// when the record that ends the rollout reached the disk.
		if len(f.touched()) != 0 && !f.allOn(targets, "v2") {
			t.Fatalf("kill at %d abort=%v: journal lost touched targets %v; versions %v", killAt, abort, f.touched(), f.cur)
		}
		return
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
	// A third process finds the journal whole and the rollout finished.
	ex3, _ := rollout.New(f, rollout.FileJournal(path))
	if _, err := ex3.Resume(context.Background(), p, p.Fingerprint()); !errors.Is(err, rollout.ErrNothingToResume) {
		t.Fatalf("kill at %d abort=%v: a resume after the recovery: %v, want ErrNothingToResume", killAt, abort, err)
	}
}

// How a process dies at a journal append.
type appendDeath int

const (
	lost    appendDeath = iota // before the write: the record is not on disk
	written                    // after the fsync, before Append returns
	torn                       // halfway through the write
)

// dyingJournal is the real file journal, with each Append counted as an op
// of the fleet: at the killing op the process dies as mode says, and
// nothing reaches the file after that.
type dyingJournal struct {
	f    *fleet
	j    rollout.JournalStore
	path string
	mode appendDeath
}

func (d *dyingJournal) Append(ctx context.Context, rec []byte) error {
	d.f.mu.Lock()
	dead, dying := d.f.step()
	d.f.mu.Unlock()
	if !dead {
		return d.j.Append(ctx, rec)
	}
	if dying {
		switch d.mode {
		case written:
			_ = d.j.Append(ctx, rec)
		case torn:
			frame, err := rollout.Frame(rec)
			if err != nil {
				return err
			}
			fh, err := os.OpenFile(d.path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			_, _ = fh.Write(frame[:len(frame)/2])
			fh.Close()
		}
	}
	return errKilled
}

func (d *dyingJournal) Load(ctx context.Context) ([][]byte, error) { return d.j.Load(ctx) }

// allOn reports whether every target runs version.
func (f *fleet) allOn(targets []string, version string) bool {
	for _, tg := range targets {
		if f.version(tg) != version {
			return false
		}
	}
	return true
}
