package rollout_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/rollout"
)

func TestCancelStopsWithoutRollbackThenResume(t *testing.T) {
	targets := names("t", 6)
	f := newFleet("v1", targets...)
	ctx, cancel := context.WithCancel(context.Background())
	f.onDeploy = func(tg string) {
		if tg == "t03" {
			cancel()
		}
	}
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.Waves(targets[:1], targets[1:]))
	j := &memStore{}
	ex, _ := rollout.New(f, rollout.Journal(j), rollout.Concurrency(1))
	rep, err := ex.Run(ctx, p, p.Fingerprint())
	if rep == nil || rep.Outcome != rollout.OutcomeInterrupted || !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v %+v", err, rep)
	}
	if f.version("t03") != "v2" || f.version("t00") != "v2" {
		t.Fatal("an interrupted rollout must not roll back")
	}
	if _, err := ex.Run(context.Background(), p, p.Fingerprint()); !errors.Is(err, rollout.ErrInProgress) {
		t.Fatalf("second Run: %v", err)
	}
	f.onDeploy = nil
	ex2, _ := rollout.New(f, rollout.Journal(j))
	rep, err = ex2.Resume(context.Background(), p, p.Fingerprint())
	if err != nil || rep.Outcome != rollout.OutcomeSucceeded {
		t.Fatalf("Resume: %v %+v", err, rep)
	}
	for _, tg := range targets {
		if f.version(tg) != "v2" {
			t.Errorf("%s on %s", tg, f.version(tg))
		}
	}
	if len(f.violation) > 0 || f.deploys["t03"] != 1 || f.deploys["t01"] != 1 {
		t.Fatalf("deployed twice: %v %v", f.violation, f.deploys)
	}
}

func TestAbortRollsBackExactlyTouched(t *testing.T) {
	targets := names("t", 8)
	f := newFleet("v1", targets...)
	ctx, cancel := context.WithCancel(context.Background())
	f.onDeploy = func(tg string) {
		if tg == "t04" {
			cancel()
		}
	}
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.Waves(targets[:2], targets[2:]), rollout.NoRehearsal())
	j := &memStore{}
	ex, _ := rollout.New(f, rollout.Journal(j), rollout.Concurrency(1))
	if _, err := ex.Run(ctx, p, p.Fingerprint()); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	f.onDeploy = nil
	before := len(f.log)
	rep, err := ex.Abort(context.Background(), p, p.Fingerprint())
	if err != nil || rep.Outcome != rollout.OutcomeAborted {
		t.Fatalf("Abort: %v %+v", err, rep)
	}
	touched := map[string]bool{}
	for _, l := range f.log[before:] {
		touched[strings.Fields(l)[1]] = true
	}
	for _, tg := range targets {
		if f.version(tg) != "v1" {
			t.Errorf("%s on %s", tg, f.version(tg))
		}
		if want := tg <= "t04"; touched[tg] != want {
			t.Errorf("Abort touched %s: %v, want %v", tg, touched[tg], want)
		}
	}
	if _, err := ex.Abort(context.Background(), p, p.Fingerprint()); !errors.Is(err, rollout.ErrNothingToResume) {
		t.Errorf("second Abort: %v", err)
	}
}

func TestResumeRefusesJournalOfAnotherPlan(t *testing.T) {
	f := newFleet("v1", "a", "b")
	ctx, cancel := context.WithCancel(context.Background())
	f.onDeploy = func(string) { cancel() }
	pa, _ := rollout.NewPlan("v2", []string{"a", "b"}, rollout.Gates(pass("g")))
	pb, _ := rollout.NewPlan("v3", []string{"a", "b"}, rollout.Gates(pass("g")))
	j := &memStore{}
	ex, _ := rollout.New(f, rollout.Journal(j))
	if _, err := ex.Run(ctx, pa, pa.Fingerprint()); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	before := len(f.log)
	for _, call := range []func(context.Context, *rollout.Plan, string) (*rollout.Report, error){ex.Resume, ex.Abort} {
		if _, err := call(context.Background(), pb, pb.Fingerprint()); !errors.Is(err, rollout.ErrFingerprint) || !strings.Contains(err.Error(), "journal fingerprint") {
			t.Fatalf("journal of plan A used for plan B: %v", err)
		}
	}
	if _, err := ex.Run(context.Background(), pb, pb.Fingerprint()); !errors.Is(err, rollout.ErrInProgress) {
		t.Fatalf("Run of plan B over an unfinished plan A: %v", err)
	}
	if len(f.log) != before {
		t.Fatalf("deployer called: %v", f.log[before:])
	}
}
