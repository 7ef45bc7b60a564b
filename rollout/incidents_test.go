package rollout_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// Productsup 2020: a deploy meant for one group of sites upgraded others by
// human error. Here the operator approved the plan for the heavy sites; the
// plan actually handed to the executor also lists other sites. It is refused
// before any deployer call.
func TestProductsupWrongTargetsRefusedBeforeAnyCall(t *testing.T) {
	heavy, others := names("heavy", 5), names("site", 20)
	f := newFleet("v1", append(append([]string{}, heavy...), others...)...)
	approved, err := rollout.NewPlan("v2", heavy, rollout.Gates(pass("api")))
	if err != nil {
		t.Fatal(err)
	}
	mistaken, err := rollout.NewPlan("v2", append(append([]string{}, heavy...), others[:7]...), rollout.Gates(pass("api")))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := rollout.New(f)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ex.Run(context.Background(), mistaken, approved.Fingerprint())
	if !errors.Is(err, rollout.ErrFingerprint) || !strings.Contains(err.Error(), mistaken.Fingerprint()[:16]) {
		t.Fatalf("Run with another plan's fingerprint: %v", err)
	}
	if rep != nil {
		t.Errorf("report for a refused run: %+v", rep)
	}
	if len(f.log) != 0 {
		t.Fatalf("the deployer was called: %v", f.log)
	}
	// The approved plan runs and touches only heavy sites.
	if _, err := ex.Run(context.Background(), approved, approved.Fingerprint()); err != nil {
		t.Fatal(err)
	}
	for tg := range f.touched() {
		if !strings.HasPrefix(tg, "heavy") {
			t.Errorf("off-plan target %q touched", tg)
		}
	}
	for _, s := range others {
		if f.version(s) != "v1" {
			t.Errorf("%s upgraded", s)
		}
	}
}

// A journal that names a target outside the plan (a mixed-up or edited
// journal) cannot make Abort touch it: the guard refuses and reports it.
func TestOffPlanTargetInJournalRefusedByGuard(t *testing.T) {
	heavy := names("heavy", 3)
	f := newFleet("v1", append(heavy, "site07")...)
	f.cur["site07"] = "v2"
	f.hist["site07"] = []string{"v1"}
	p, err := rollout.NewPlan("v2", heavy, rollout.Gates(pass("api")), rollout.NoRehearsal())
	if err != nil {
		t.Fatal(err)
	}
	j := &memStore{}
	ctx := context.Background()
	for _, r := range []string{ // an edited journal: records as the executor writes them
		`{"k":"begin","f":"` + p.Fingerprint() + `","v":"v2"}`,
		`{"k":"deploying","t":"heavy00","v":"v1"}`,
		`{"k":"deploying","t":"site07","v":"v1"}`,
	} {
		_ = j.Append(ctx, []byte(r))
	}
	ex, _ := rollout.New(f, rollout.Journal(j))
	rep, err := ex.Abort(ctx, p, p.Fingerprint())
	if !errors.Is(err, rollout.ErrOffPlan) || !errors.Is(err, rollout.ErrUnknownState) {
		t.Fatalf("Abort: %v", err)
	}
	var ope *rollout.OffPlanError
	if !errors.As(err, &ope) || ope.Target != "site07" {
		t.Fatalf("no OffPlanError for site07: %v", err)
	}
	if f.touched()["site07"] {
		t.Fatalf("site07 reached the deployer: %v", f.log)
	}
	if f.version("site07") != "v2" {
		t.Fatal("site07 changed")
	}
	if got := unknown(rep); len(got) != 1 || got[0] != "site07" {
		t.Fatalf("report must name site07 as unknown, got %v", got)
	}
}

// Mews 2019: a shared-code change broke Distributor's start-up before error
// reporting existed. The smoke gate fails within its deadline, with
// diagnostics, and the canary is rolled back before wave 2.
func TestMewsStartupCrashFailsSmokeAndRollsBack(t *testing.T) {
	targets := names("distributor", 10)
	f := newFleet("v1", targets...)
	probe := func(_ context.Context, tg string) error {
		if f.version(tg) == "v2" {
			return errors.New("startup: TypeError: n is not a function")
		}
		return nil
	}
	diag := func(_ context.Context, tg string) string { return "boot.log: minifier removed registerHandlers" }
	smoke := rollout.Smoke{Within: 200 * time.Millisecond, Probe: probe, Diagnose: diag, DiagnoseWithin: 100 * time.Millisecond, Every: 10 * time.Millisecond}
	p, err := rollout.NewPlan("v2", targets, rollout.Gates(smoke.Gate()))
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := rollout.New(f)
	start := time.Now()
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
	if !errors.Is(err, rollout.ErrRolledBack) || !errors.Is(err, rollout.ErrGateFailed) {
		t.Fatalf("Run: %v", err)
	}
	var se *rollout.TargetError
	if !errors.As(err, &se) || se.Op != "smoke" || se.Target != "distributor00" || !strings.Contains(se.Diagnostics, "minifier removed") ||
		!strings.Contains(se.Error(), "probe(s)") || strings.Contains(se.Error(), "after 1 probe(s)") {
		t.Fatalf("smoke error without target/diagnostics/attempts: %#v", se)
	}
	if rep.Outcome != rollout.OutcomeRolledBack || rep.WavesPassed != 0 {
		t.Fatalf("report: %+v", rep)
	}
	for _, tg := range targets {
		if f.version(tg) != "v1" {
			t.Errorf("%s on %s", tg, f.version(tg))
		}
	}
	if len(f.touched()) != 1 {
		t.Errorf("more than the canary touched: %v", f.touched())
	}
}

// The start-up hangs (and the probe with it, ignoring ctx): the smoke gate
// still fails within its deadline and the canary is rolled back.
func TestMewsStartupHangFailsWithinDeadline(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	targets := names("distributor", 4)
	f := newFleet("v1", targets...)
	probe := func(_ context.Context, tg string) error {
		if f.version(tg) == "v2" {
			<-release // ignores ctx, like a test run that hangs the build server
		}
		return nil
	}
	within := 100 * time.Millisecond
	p, err := rollout.NewPlan("v2", targets, rollout.Gates(rollout.Smoke{Within: within, Probe: probe}.Gate()))
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := rollout.New(f)
	start := time.Now()
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	el := time.Since(start)
	if el > within+time.Second {
		t.Errorf("hang detected after %v (deadline %v)", el, within)
	}
	var se *rollout.TargetError
	if !errors.Is(err, rollout.ErrRolledBack) || !errors.As(err, &se) || se.Op != "smoke" || !strings.Contains(se.Error(), "last probe hung") {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(err.Error(), "hung") {
		t.Errorf("error does not say it hung: %v", err)
	}
	if rep.Outcome != rollout.OutcomeRolledBack || f.version("distributor00") != "v1" {
		t.Fatalf("not rolled back: %+v", rep)
	}
}

// A gate that hangs forever and ignores its context (Mews's end-to-end tests)
// fails as a timeout and is abandoned; the rollout does not wait for it.
func TestHangingGateIsAbandoned(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f := newFleet("v1", "a", "b")
	e2e := check("e2e", 50*time.Millisecond, func(context.Context) error { <-release; return nil })
	p, err := rollout.NewPlan("v2", []string{"a", "b"}, rollout.Gates(e2e), rollout.NoRehearsal())
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := rollout.New(f)
	start := time.Now()
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v", el)
	}
	var ge *rollout.GateError
	if !errors.As(err, &ge) || !ge.TimedOut || !ge.Abandoned || ge.Gate != "e2e" {
		t.Fatalf("Run: %v", err)
	}
	// The verification after the rollback hits the same hung gate: reported.
	if rep.Verify == nil || !rep.Targets[0].Unhealthy {
		t.Errorf("verification failure not reported: %v", err)
	}
	if f.version("a") != "v1" {
		t.Fatal("a not rolled back")
	}
}

// Productsup: nothing had tested the revert path. The rehearsal on the
// canary wave finds a rollback that does nothing, and stops before wave 2.
func TestRehearsalCatchesBrokenRollbackBeforeWave2(t *testing.T) {
	for _, broken := range []string{"no-op", "error"} {
		t.Run(broken, func(t *testing.T) {
			targets := names("site", 20)
			f := newFleet("v1", targets...)
			if broken == "no-op" {
				f.rollbackNoop["site00"] = true
			} else {
				f.rollbackErr["site00"] = true
			}
			p, err := rollout.NewPlan("v2", targets, rollout.Gates(pass("api")))
			if err != nil {
				t.Fatal(err)
			}
			var events []string
			ex, _ := rollout.New(f, rollout.OnEvent(func(e rollout.Event) { events = append(events, e.Kind) }))
			rep, err := ex.Run(context.Background(), p, p.Fingerprint())
			if !errors.Is(err, rollout.ErrRehearsal) || !errors.Is(err, rollout.ErrUnknownState) || !strings.Contains(err.Error(), "rollback of wave 1:") {
				t.Fatalf("Run: %v", err)
			}
			if rep.Outcome != rollout.OutcomeRehearsalFailed {
				t.Fatalf("outcome %v", rep.Outcome)
			}
			if tg := f.touched(); len(tg) != 1 || !tg["site00"] {
				t.Fatalf("wave 2 was touched: %v", tg)
			}
			if u := unknown(rep); len(u) != 1 || u[0] != "site00" {
				t.Fatalf("canary not reported: %v", u)
			}
			if !containsKind(events, "rehearsal") || !containsKind(events, "rollback failed") {
				t.Errorf("events: %v", events)
			}
		})
	}
}

// The rollback works, but the previous version is unhealthy afterwards: the
// rehearsal fails too.
func TestRehearsalFailsWhenGatesFailAfterRollback(t *testing.T) {
	targets := names("site", 5)
	f := newFleet("v1", targets...)
	gate := rollout.Gate{Name: "api", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
		if in.Phase == "rehearsal" {
			return errors.New("v1 cannot read v2's data")
		}
		return nil
	}}
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(gate))
	ex, _ := rollout.New(f)
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	if !errors.Is(err, rollout.ErrRehearsal) || rep.Verify == nil || errors.Is(err, rollout.ErrUnknownState) || !strings.Contains(err.Error(), "gates after rollback of wave 1:") {
		t.Fatalf("Run: %v", err)
	}
	if rep.Outcome != rollout.OutcomeRehearsalFailed || len(f.touched()) != 1 || f.version("site00") != "v1" {
		t.Fatalf("report %+v, touched %v", rep, f.touched())
	}
}

func containsKind(ks []string, k string) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}
