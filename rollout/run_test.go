package rollout_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

func TestSuccessfulRolloutWithRehearsal(t *testing.T) {
	targets := names("t", 20)
	f := newFleet("v1", targets...)
	var mu sync.Mutex
	phases := map[string]int{}
	gate := rollout.Gate{Name: "g", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
		mu.Lock()
		phases[in.Phase]++
		mu.Unlock()
		if len(in.Targets) == 0 {
			return errors.New("no targets")
		}
		return nil
	}}
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(gate))
	var buf bytes.Buffer
	ex, _ := rollout.New(f, rollout.Concurrency(3), rollout.Logger(slog.New(slog.NewTextHandler(&buf, nil))))
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome != rollout.OutcomeSucceeded || rep.WavesPassed != len(p.Waves()) || len(rep.Targets) != 20 {
		t.Fatalf("report %+v", rep)
	}
	for _, tg := range targets {
		if f.version(tg) != "v2" {
			t.Errorf("%s on %s", tg, f.version(tg))
		}
		want := 1
		if tg == "t00" {
			want = 2 // deployed, rehearsed rollback, deployed again
		}
		if f.deploys[tg] != want {
			t.Errorf("%s deployed %d times, want %d", tg, f.deploys[tg], want)
		}
	}
	if phases["rehearsal"] != 1 || phases["deploy"] != len(p.Waves())+1 {
		t.Errorf("gate phases %v", phases)
	}
	if len(f.violation) > 0 {
		t.Error(f.violation)
	}
	if !strings.Contains(buf.String(), "rollout done") || !strings.Contains(buf.String(), "outcome=succeeded") {
		t.Errorf("log lacks the end: %s", buf.String())
	}
	// A finished rollout is not resumable, and a second Run of it proceeds
	// without deploying anything (every target already runs v2).
	if _, err := ex.Resume(context.Background(), p, p.Fingerprint()); !errors.Is(err, rollout.ErrNothingToResume) {
		t.Errorf("Resume after success: %v", err)
	}
}

func TestDeployErrorRollsBackInReverseOrder(t *testing.T) {
	targets := names("t", 10)
	f := newFleet("v1", targets...)
	f.deployErr["t07"] = true
	var verified []string
	gate := rollout.Gate{Name: "g", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
		if in.Phase == "verify" {
			verified = append(verified, in.Targets...)
		}
		return nil
	}}
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(gate), rollout.Waves(targets[:1], targets[1:4], targets[4:]), rollout.NoRehearsal())
	ex, _ := rollout.New(f, rollout.Concurrency(1))
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	var te *rollout.TargetError
	if !errors.Is(err, rollout.ErrRolledBack) || !errors.As(err, &te) || te.Op != "deploy" || te.Target != "t07" {
		t.Fatalf("Run: %v", err)
	}
	var rolled []string
	for _, l := range f.log {
		if strings.HasPrefix(l, "rollback ") {
			rolled = append(rolled, strings.TrimPrefix(l, "rollback "))
		}
	}
	if got := strings.Join(rolled, ","); got != "t06,t05,t04,t03,t02,t01,t00" {
		t.Fatalf("rollback order %s", got)
	}
	if len(verified) != 8 { // t07 was never changed but is confirmed too
		t.Errorf("verify gates saw %v", verified)
	}
	for _, r := range rep.Targets {
		if r.State != rollout.StateRolledBack || f.version(r.Target) != "v1" {
			t.Errorf("%s: %v on %s", r.Target, r.State, f.version(r.Target))
		}
	}
	if f.touched()["t08"] || f.touched()["t09"] {
		t.Error("deploys went on after the failure")
	}
}

func TestDeployAppliedButReportedErrorIsRolledBack(t *testing.T) {
	f := newFleet("v1", "a", "b")
	f.deployErrAfter["b"] = true
	p, _ := rollout.NewPlan("v2", []string{"a", "b"}, rollout.Gates(pass("g")), rollout.NoRehearsal())
	ex, _ := rollout.New(f)
	_, err := ex.Run(context.Background(), p, p.Fingerprint())
	if !errors.Is(err, rollout.ErrRolledBack) {
		t.Fatal(err)
	}
	if f.version("a") != "v1" || f.version("b") != "v1" {
		t.Fatalf("a=%s b=%s", f.version("a"), f.version("b"))
	}
}

func TestBakeNeedsTimeAndPasses(t *testing.T) { synctest.Test(t, testBakeNeedsTimeAndPasses) }

func testBakeNeedsTimeAndPasses(t *testing.T) {
	for _, tc := range []struct {
		bake       rollout.Bake
		wantPasses int
	}{
		{rollout.Bake{Min: 10 * time.Minute, Passes: 2, Every: time.Minute}, 11}, // time dominates
		{rollout.Bake{Min: time.Minute, Passes: 5, Every: time.Minute}, 5},       // passes dominate
		{rollout.Bake{}, 1},
	} {
		f := newFleet("v1", "a")
		var runs int
		gate := rollout.Gate{Name: "g", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
			runs++
			if in.Pass != runs {
				return errors.New("pass count out of step")
			}
			return nil
		}}
		p, _ := rollout.NewPlan("v2", []string{"a"}, rollout.Gates(gate), rollout.BakeEach(tc.bake), rollout.NoRehearsal())
		ex, _ := rollout.New(f)
		start := time.Now()
		if _, err := ex.Run(context.Background(), p, p.Fingerprint()); err != nil {
			t.Fatal(err)
		}
		if runs != tc.wantPasses {
			t.Errorf("%+v: %d gate runs, want %d", tc.bake, runs, tc.wantPasses)
		}
		if want := time.Duration(tc.wantPasses-1) * tc.bake.Every; time.Since(start) != want {
			t.Errorf("%+v: baked %v, want %v", tc.bake, time.Since(start), want)
		}
	}
}

func TestGateFailureDuringBakeRollsBack(t *testing.T) {
	synctest.Test(t, testGateFailureDuringBakeRollsBack)
}

func testGateFailureDuringBakeRollsBack(t *testing.T) {
	f := newFleet("v1", "a", "b")
	gate := rollout.Gate{Name: "errors", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
		if in.Phase == "bake" && in.Pass == 3 && in.Wave == 2 {
			return errors.New("error rate 4%")
		}
		return nil
	}}
	p, _ := rollout.NewPlan("v2", []string{"a", "b"}, rollout.Gates(gate),
		rollout.BakeEach(rollout.Bake{Min: time.Hour, Passes: 2, Every: 10 * time.Minute}))
	ex, _ := rollout.New(f)
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	var ge *rollout.GateError
	if !errors.As(err, &ge) || ge.Phase != "bake" || !errors.Is(err, rollout.ErrRolledBack) {
		t.Fatalf("Run: %v", err)
	}
	if rep.WavesPassed != 1 || f.version("a") != "v1" || f.version("b") != "v1" {
		t.Fatalf("report %+v", rep)
	}
}

func TestInconclusiveNeverPasses(t *testing.T) {
	errInconclusive := errors.New("canary: inconclusive: 0 baseline samples")
	f := newFleet("v1", "a")
	p, _ := rollout.NewPlan("v2", []string{"a"}, rollout.NoRehearsal(),
		rollout.Gates(check("canary", time.Second, func(context.Context) error {
			return errInconclusive
		})))
	ex, _ := rollout.New(f)
	_, err := ex.Run(context.Background(), p, p.Fingerprint())
	if !errors.Is(err, errInconclusive) || !errors.Is(err, rollout.ErrGateFailed) {
		t.Fatalf("Run: %v", err)
	}
}

func TestExecutorRefusesBadInput(t *testing.T) {
	if _, err := rollout.New(nil); err == nil {
		t.Error("New(nil) accepted")
	}
	f := newFleet("v1", "a")
	for _, o := range []rollout.Option{rollout.Concurrency(0), rollout.Journal(nil), rollout.FileJournal(""), nil} {
		if _, err := rollout.New(f, o); !errors.Is(err, rollout.ErrInvalidPlan) {
			t.Errorf("bad option accepted: %v", err)
		}
	}
	ex, _ := rollout.New(f)
	p, _ := rollout.NewPlan("v2", []string{"a"}, rollout.Gates(pass("g")))
	for _, fp := range []string{"", "deadbeef", strings.ToUpper(p.Fingerprint())} {
		if _, err := ex.Run(context.Background(), p, fp); !errors.Is(err, rollout.ErrFingerprint) {
			t.Errorf("fingerprint %q: %v", fp, err)
		}
	}
	if _, err := ex.Run(context.Background(), nil, ""); !errors.Is(err, rollout.ErrInvalidPlan) {
		t.Errorf("nil plan: %v", err)
	}
	if _, err := ex.Resume(context.Background(), p, p.Fingerprint()); !errors.Is(err, rollout.ErrNothingToResume) {
		t.Errorf("Resume on empty journal: %v", err)
	}
	if _, err := ex.Abort(context.Background(), p, p.Fingerprint()); !errors.Is(err, rollout.ErrNothingToResume) {
		t.Errorf("Abort on empty journal: %v", err)
	}
	if len(f.log) != 0 {
		t.Fatalf("deployer called: %v", f.log)
	}
}

func TestEventsForEveryStep(t *testing.T) {
	f := newFleet("v1", "a", "b")
	f.rollbackNoop["b"] = true
	gate := rollout.Gate{Name: "g", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
		if in.Wave == 2 && in.Phase == "deploy" {
			return errors.New("no")
		}
		return nil
	}}
	p, _ := rollout.NewPlan("v2", []string{"a", "b"}, rollout.Gates(gate))
	var got []string
	ex, _ := rollout.New(f, rollout.OnEvent(func(e rollout.Event) {
		s := e.Kind
		if e.Target != "" {
			s += " " + e.Target
		}
		if e.Gate != "" {
			s += " " + e.Phase
		}
		if e.Kind == "done" {
			s += ": " + string(e.Outcome)
		}
		if e.Time.IsZero() {
			t.Errorf("event %s without time", s)
		}
		got = append(got, s)
	}))
	_, err := ex.Run(context.Background(), p, p.Fingerprint())
	if !errors.Is(err, rollout.ErrUnknownState) {
		t.Fatal(err)
	}
	want := "start|wave|deploy a|deployed a|gate deploy|rehearsal|rolled back a|gate rehearsal|deploy a|deployed a|gate deploy|wave passed|" +
		"wave|deploy b|deployed b|gate deploy|rollback|rollback failed b|rolled back a|gate verify|done: failed with targets in unknown state"
	if s := strings.Join(got, "|"); s != want {
		t.Fatalf("events\n got %s\nwant %s", s, want)
	}
}
