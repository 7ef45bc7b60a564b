package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// stateOf returns the report's entry for target.
func stateOf(rep *rollout.Report, target string) (rollout.TargetResult, bool) {
	for _, r := range rep.Targets {
		if r.Target == target {
			return r, true
		}
	}
	return rollout.TargetResult{}, false
}

// Productsup: a deploy tool whose Deploy for one site upgrades another. Each
// mis-targeting shape, with and without rehearsal, with concurrency 1 and 4,
// with and without a census: Run never reports success, the intended site
// is confirmed back, and a census names the site that moved.
func TestMisTargetedDeployIsCaught(t *testing.T) {
	targets := names("t", 12) // waves [1 1 5 5]: t00 | t01 | t02..t06 | t07..t11
	shapes := []struct {
		name, from, to string
		alreadyNew     bool // the redirect target already runs v2
	}{
		{"to a later wave", "t01", "t09", false},
		{"to an already new target", "t02", "t11", true},
		{"to an off-plan target", "t03", "x00", false},
	}
	for _, sh := range shapes {
		for _, rehearse := range []bool{true, false} {
			for _, conc := range []int{1, 4} {
				for _, census := range []bool{false, true} {
					name := fmt.Sprintf("%s/rehearse=%v/conc=%d/census=%v", sh.name, rehearse, conc, census)
					t.Run(name, func(t *testing.T) {
						synctest.Test(t, func(t *testing.T) {
							f := newFleet("v1", append(append([]string{}, targets...), "x00")...)
							f.redirect[sh.from] = sh.to
							if sh.alreadyNew {
								f.cur[sh.to] = "v2"
							}
							opts := []rollout.PlanOption{rollout.Gates(pass("g"))}
							if !rehearse {
								opts = append(opts, rollout.NoRehearsal())
							}
							p, err := rollout.NewPlan("v2", targets, opts...)
							if err != nil {
								t.Fatal(err)
							}
							var d rollout.Deployer = f
							if census {
								d = &censusFleet{fleet: f}
							}
							ex, _ := rollout.New(d, rollout.Concurrency(conc))
							rep, err := ex.Run(context.Background(), p, p.Fingerprint())
							if err == nil || rep.Outcome == rollout.OutcomeSucceeded {
								t.Fatalf("success reported while %s runs %s and %s runs %s", sh.from, f.version(sh.from), sh.to, f.version(sh.to))
							}
							if !errors.Is(err, rollout.ErrRolledBack) {
								t.Fatalf("Run: %v", err)
							}
							var te *rollout.TargetError
							if !errors.As(err, &te) || te.Op != "confirm" || te.Target != sh.from || te.Want != "v2" || te.Found != "v1" || !errors.Is(err, rollout.ErrConfirm) {
								t.Fatalf("no confirm error naming %s, v2 and v1: %v", sh.from, err)
							}
							if r, ok := stateOf(rep, sh.from); !ok || r.State != rollout.StateRolledBack || f.version(sh.from) != "v1" {
								t.Errorf("%s: %+v, runs %s", sh.from, r, f.version(sh.from))
							}
							r, listed := stateOf(rep, sh.to)
							moved := !sh.alreadyNew
							switch {
							case census && moved:
								if !listed || r.State != rollout.StateOffPlan || r.Previous != "v1" || r.Now != "v2" || r.PutBack {
									t.Errorf("%s moved but is reported %+v", sh.to, r)
								}
								if !errors.Is(err, rollout.ErrOffPlan) && sh.to == "x00" && !strings.Contains(err.Error(), "off-plan") {
									t.Errorf("error does not name the off-plan change: %v", err)
								}
							case listed && r.State == rollout.StateOffPlan:
								t.Errorf("%s reported off-plan though it did not move or no census was taken: %+v", sh.to, r)
							}
							for _, tg := range targets[conc+1:] { // nothing after the failing wave was deployed
								if tg != sh.to && f.deploys[tg] > 0 && tg > "t06" {
									t.Errorf("%s deployed after the failure", tg)
								}
							}
						})
					})
				}
			}
		}
	}
}

// With PutBack, the off-plan target the tool moved is put back to the
// version the first census recorded, through the guard, and reported so.
func TestPutBackRestoresOffPlanTargets(t *testing.T) {
	synctest.Test(t, testPutBackRestoresOffPlanTargets)
}

func testPutBackRestoresOffPlanTargets(t *testing.T) {
	targets := names("t", 6)
	f := newFleet("v1", append(append([]string{}, targets...), "x00", "x01")...)
	f.redirect["t01"] = "x00"
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.PutBack(), rollout.Settle(0))
	ex, _ := rollout.New(&censusFleet{fleet: f})
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	var ope *rollout.OffPlanError
	if !errors.Is(err, rollout.ErrRolledBack) || !errors.As(err, &ope) || ope.Op != "census" || ope.Target != "x00" || ope.Before != "v1" || ope.Version != "v2" {
		t.Fatalf("Run: %v", err)
	}
	r, _ := stateOf(rep, "x00")
	if r.State != rollout.StateOffPlan || !r.PutBack || r.Previous != "v1" || r.Now != "v2" || r.Wave != 0 || f.version("x00") != "v1" {
		t.Fatalf("x00: %+v, runs %s", r, f.version("x00"))
	}
	if f.version("x01") != "v1" || f.touched()["x01"] {
		t.Fatal("x01 touched")
	}
	for _, tg := range targets {
		if f.version(tg) != "v1" {
			t.Errorf("%s runs %s", tg, f.version(tg))
		}
	}
}

// Without confirmation (Settle(0)) the census alone catches the redirect.
func TestCensusCatchesWhatConfirmationWasToldToSkip(t *testing.T) {
	synctest.Test(t, testCensusCatchesWhatConfirmationWasToldToSkip)
}

func testCensusCatchesWhatConfirmationWasToldToSkip(t *testing.T) {
	targets := names("t", 6)
	f := newFleet("v1", targets...)
	f.redirect["t02"] = "t05"
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.Settle(0), rollout.NoRehearsal())
	ex, _ := rollout.New(&censusFleet{fleet: f})
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	if !errors.Is(err, rollout.ErrOffPlan) || !errors.Is(err, rollout.ErrRolledBack) {
		t.Fatalf("Run: %v", err)
	}
	if r, _ := stateOf(rep, "t05"); r.State != rollout.StateOffPlan || r.Now != "v2" {
		t.Fatalf("t05: %+v", r)
	}
}

// A census that cannot be believed stops the rollout before anything more
// is deployed: it errors, lists a target twice, or lists nothing.
func TestBadCensusFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(c *censusFleet)
		want  string
	}{
		{"error", func(c *censusFleet) { c.censusErr = errors.New("inventory API 503") }, "inventory API 503"},
		{"duplicate", func(c *censusFleet) { c.tamper = func(add func(string, string)) { add("t01", "v9") } }, `target "t01" listed twice`},
		{"empty", func(c *censusFleet) { c.cur = map[string]string{} }, "listed no targets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			targets := names("t", 4)
			c := &censusFleet{fleet: newFleet("v1", targets...)}
			p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")))
			tc.setup(c)
			ex, _ := rollout.New(c)
			_, err := ex.Run(context.Background(), p, p.Fingerprint())
			if !errors.Is(err, rollout.ErrCensus) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run: %v", err)
			}
			if len(c.deploys) > 0 {
				t.Fatalf("deployed after a census that cannot be believed: %v", c.deploys)
			}
		})
	}
}

// A census that turns bad after the first wave stops the rollout there: the
// canary is rolled back, nothing further is deployed.
func TestCensusFailingMidRolloutStopsAtThatWave(t *testing.T) {
	synctest.Test(t, testCensusFailingMidRolloutStopsAtThatWave)
}

func testCensusFailingMidRolloutStopsAtThatWave(t *testing.T) {
	targets := names("t", 6)
	c := &censusFleet{fleet: newFleet("v1", targets...)}
	c.onDeploy = func(string) { c.censusErr = errors.New("timeout") }
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.NoRehearsal())
	ex, _ := rollout.New(c)
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	if !errors.Is(err, rollout.ErrCensus) || rep.Outcome == rollout.OutcomeSucceeded {
		t.Fatalf("Run: %v", err)
	}
	if len(c.deploys) != 1 || c.version("t00") != "v1" {
		t.Fatalf("deploys %v, t00 on %s", c.deploys, c.version("t00"))
	}
}

// Version erroring after a deploy: the deploy is not confirmed, the rollout
// rolls back and deploys nothing more.
func TestVersionErrorFailsTheDeploy(t *testing.T) { synctest.Test(t, testVersionErrorFailsTheDeploy) }

func testVersionErrorFailsTheDeploy(t *testing.T) {
	targets := names("t", 4)
	v := &versionFails{fleet: newFleet("v1", targets...), after: "t01"}
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.NoRehearsal(), rollout.Settle(1))
	ex, _ := rollout.New(v)
	_, err := ex.Run(context.Background(), p, p.Fingerprint())
	var te *rollout.TargetError
	if !errors.As(err, &te) || te.Target != "t01" || !errors.Is(err, rollout.ErrConfirm) || !strings.Contains(err.Error(), "version service down") {
		t.Fatalf("Run: %v", err)
	}
	if v.deploys["t02"] != 0 || v.deploys["t03"] != 0 {
		t.Fatalf("deployed after the failure: %v", v.deploys)
	}
}

// versionFails answers Version with an error for one target once it was deployed.
type versionFails struct {
	*fleet
	after string
}

func (v *versionFails) Version(ctx context.Context, t string) (string, error) {
	if t == v.after && v.fleet.deploys[t] > 0 {
		return "", errors.New("version service down")
	}
	return v.fleet.Version(ctx, t)
}

// A put back that fails is reported, as a TargetError with Op "put back"
// and as a "rollback failed" event. Events of a target outside the plan
// (off-plan, put back, rollback failed) carry Wave 0.
func TestPutBackFailureReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, failPutBack := range []bool{false, true} {
			targets := names("t", 6)
			f := newFleet("v1", append(append([]string{}, targets...), "x00")...)
			f.redirect["t01"] = "x00"
			f.deployErr["x00"] = failPutBack // x00 is deployed only by the put back
			var events []rollout.Event
			p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.PutBack(), rollout.Settle(0))
			ex, _ := rollout.New(&censusFleet{fleet: f}, rollout.OnEvent(func(e rollout.Event) { events = append(events, e) }))
			_, err := ex.Run(context.Background(), p, p.Fingerprint())
			if failed := hasTargetError(err, "put back", "x00"); failed != failPutBack {
				t.Errorf("put back failing %v: Run = %v", failPutBack, err)
			}
			kinds := map[string]bool{}
			for _, e := range events {
				switch e.Kind {
				case "off-plan", "put back", "rollback failed":
					kinds[e.Kind] = true
					if e.Wave != 0 || e.Target != "x00" {
						t.Errorf("put back failing %v: event %q has Wave %d, target %q; want 0 (no wave), x00", failPutBack, e.Kind, e.Wave, e.Target)
					}
				}
			}
			if kinds["off-plan"] != true || kinds["put back"] == failPutBack || kinds["rollback failed"] != failPutBack {
				t.Errorf("put back failing %v: events %v", failPutBack, kinds)
			}
		}
	})
}

// hasTargetError reports whether the error tree of err holds a
// *TargetError for op on target.
func hasTargetError(err error, op, target string) bool {
	var te *rollout.TargetError
	if errors.As(err, &te) && te.Op == op && te.Target == target {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if hasTargetError(e, op, target) {
				return true
			}
		}
	case interface{ Unwrap() error }:
		return hasTargetError(u.Unwrap(), op, target)
	}
	return false
}

// An off-plan change is reported once, however many censuses see it after.
func TestOffPlanChangeReportedOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		targets := names("t", 6)
		f := newFleet("v1", append(append([]string{}, targets...), "x00")...)
		f.redirect["t01"] = "x00"
		var offPlan int
		p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.Settle(0), rollout.NoRehearsal())
		ex, _ := rollout.New(&censusFleet{fleet: f}, rollout.OnEvent(func(e rollout.Event) {
			if e.Kind == "off-plan" {
				offPlan++
			}
		}))
		if _, err := ex.Run(context.Background(), p, p.Fingerprint()); !errors.Is(err, rollout.ErrOffPlan) {
			t.Fatalf("Run = %v", err)
		}
		if offPlan != 1 {
			t.Errorf("%d off-plan events for one change, want 1", offPlan)
		}
	})
}

// A census that fails after a rollback leaves the fleet's state unknown:
// the Run's error says so, with the census's own error.
func TestCensusFailingAfterRollbackReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		targets := names("t", 4)
		c := &censusFleet{fleet: newFleet("v1", targets...)}
		gate := failsWave(2, errors.New("error rate up"))
		p, _ := rollout.NewPlan("v2", targets, rollout.Gates(gate), rollout.NoRehearsal())
		ex, _ := rollout.New(c, rollout.OnEvent(func(e rollout.Event) {
			if e.Kind == "rollback" {
				c.mu.Lock()
				c.censusErr = errors.New("inventory API 503")
				c.mu.Unlock()
			}
		}))
		_, err := ex.Run(context.Background(), p, p.Fingerprint())
		if !errors.Is(err, rollout.ErrCensus) || !strings.Contains(err.Error(), "inventory API 503") {
			t.Errorf("Run = %v; want the failed census after the rollback in the error", err)
		}
		// Every target was rolled back: none is in an unknown state.
		if strings.Contains(err.Error(), "unknown state") {
			t.Errorf("Run = %v; it names no target in an unknown state", err)
		}
	})
}

// After a rollback, verify runs the gates of the waves that were touched,
// not those of waves never reached.
func TestVerifyRunsOnlyTouchedWavesGates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		targets := names("t", 6)
		f := newFleet("v1", targets...)
		var secondRan []string
		first := rollout.Gate{Name: "first", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
			if in.Phase == "deploy" {
				return errors.New("canary unhealthy")
			}
			return nil
		}}
		second := rollout.Gate{Name: "second", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
			secondRan = append(secondRan, in.Phase)
			return nil
		}}
		p, err := rollout.NewPlan("v2", targets, rollout.Gates(first), rollout.Wave(1, rollout.Bake{}, second), rollout.NoRehearsal())
		if err != nil {
			t.Fatal(err)
		}
		ex, _ := rollout.New(f)
		if _, err := ex.Run(context.Background(), p, p.Fingerprint()); !errors.Is(err, rollout.ErrRolledBack) {
			t.Fatalf("Run = %v", err)
		}
		if len(secondRan) > 0 {
			t.Errorf("the second wave's gate ran (%v) though only the canary was deployed", secondRan)
		}
	})
}

// The journal is written ahead: every target's "rolled-back" record follows
// a "rolling-back" record for it, so a crash during Rollback is resumed as
// a rollback in progress.
func TestRollbackIsJournaledAhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		targets := names("t", 4)
		f := newFleet("v1", targets...)
		gate := failsWave(2, errors.New("error rate up"))
		path := filepath.Join(t.TempDir(), "journal")
		p, _ := rollout.NewPlan("v2", targets, rollout.Gates(gate), rollout.NoRehearsal())
		ex, _ := rollout.New(f, rollout.FileJournal(path))
		if _, err := ex.Run(context.Background(), p, p.Fingerprint()); !errors.Is(err, rollout.ErrRolledBack) {
			t.Fatalf("Run = %v", err)
		}
		kinds, err := rollout.JournalKinds(path)
		if err != nil {
			t.Fatal(err)
		}
		rolling, back := map[string]bool{}, 0
		for _, k := range kinds {
			kind, target, _ := strings.Cut(k, " ")
			switch kind {
			case "rolling-back":
				rolling[target] = true
			case "rolled-back":
				back++
				if !rolling[target] {
					t.Errorf("%s rolled back without a rolling-back record before it: %q", target, kinds)
				}
			}
		}
		if back == 0 {
			t.Errorf("no target rolled back: %q", kinds)
		}
	})
}

// cancellingRollback is a fleet whose Rollback ends the run's context and
// fails: the failure is the interruption's, not the target's.
type cancellingRollback struct {
	*fleet
	cancel context.CancelFunc
}

func (c cancellingRollback) Rollback(ctx context.Context, target string) error {
	c.cancel()
	return errors.New("rollback aborted")
}

func TestRollbackFailingBecauseInterruptedIsAnInterruption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		targets := names("t", 4)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		d := cancellingRollback{newFleet("v1", targets...), cancel}
		gate := rollout.Gate{Name: "g", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
			if in.Phase == "deploy" {
				return errors.New("error rate up")
			}
			return nil
		}}
		p, _ := rollout.NewPlan("v2", targets, rollout.Gates(gate), rollout.NoRehearsal())
		ex, _ := rollout.New(d)
		rep, err := ex.Run(ctx, p, p.Fingerprint())
		if !errors.Is(err, context.Canceled) || rep.Outcome != rollout.OutcomeInterrupted {
			t.Errorf("Run = %v, outcome %v; want an interruption", err, rep.Outcome)
		}
		if strings.Contains(err.Error(), "rollback aborted") {
			t.Errorf("Run = %v; the interrupted call's own error is not the target's failure", err)
		}
	})
}

// A target's result carries the error recorded for it (here, a failed
// rollback), and only then.
func TestTargetResultErr(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		targets := names("t", 4)
		f := newFleet("v1", targets...)
		f.rollbackErr["t01"] = true
		gate := failsWave(2, errors.New("error rate up"))
		p, _ := rollout.NewPlan("v2", targets, rollout.Gates(gate), rollout.NoRehearsal(), rollout.Waves([]string{"t00"}, []string{"t01", "t02", "t03"}))
		ex, _ := rollout.New(f)
		rep, err := ex.Run(context.Background(), p, p.Fingerprint())
		if err == nil {
			t.Fatal("Run succeeded with a failing gate")
		}
		for _, r := range rep.Targets {
			if failed := r.Err != nil; failed != (r.Target == "t01") {
				t.Errorf("%s: Err = %v", r.Target, r.Err)
			}
		}
	})
}
