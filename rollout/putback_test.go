package rollout_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/deploysafe/deploysafe/rollout"
)

// putBackPlan is three waves, t00 | t01 t02 | t03 t04 t05, with PutBack.
func putBackPlan(t *testing.T) *rollout.Plan {
	t.Helper()
	p, err := rollout.NewPlan("v2", names("t", 6), rollout.Gates(pass("g")), rollout.PutBack(), rollout.NoRehearsal(),
		rollout.Waves([]string{"t00"}, []string{"t01", "t02"}, []string{"t03", "t04", "t05"}))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// driftOnce makes another controller move target to version the first
// time trigger is deployed.
func driftOnce(f *fleet, trigger, target, version string) {
	done := false
	f.onDeploy = func(t string) { // called with f.mu held
		if t == trigger && !done {
			done = true
			f.cur[target] = version
		}
	}
}

// PutBack returns every target a census finds changed to its recorded
// version: a target in a wave not reached yet (in the plan, so the guard
// used to refuse a version other than the plan's), and a target of a wave
// already deployed that something else moved off the plan's version.
func TestPutBackEveryChangedTarget(t *testing.T) {
	cases := []struct {
		name, trigger, target string
		wantState             rollout.TargetState
	}{
		{"in a wave not reached", "t00", "t04", rollout.StateOffPlan},
		{"in a wave done", "t01", "t00", rollout.StateRolledBack},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFleet("v1", append(names("t", 6), "x00")...)
				driftOnce(f, c.trigger, c.target, "v3")
				p := putBackPlan(t)
				ex, _ := rollout.New(&censusFleet{fleet: f})
				rep, err := ex.Run(context.Background(), p, p.Fingerprint())
				if !errors.Is(err, rollout.ErrRolledBack) || errors.Is(err, rollout.ErrUnknownState) || rep.Outcome != rollout.OutcomeRolledBack {
					t.Fatalf("Run: %v", err)
				}
				if hasTargetError(err, "put back", c.target) {
					t.Fatalf("put back of %s failed: %v", c.target, err)
				}
				r, ok := stateOf(rep, c.target)
				if !ok || !r.PutBack || r.State != c.wantState || r.Previous != "v1" || r.Err != nil {
					t.Errorf("%s reported %+v", c.target, r)
				}
				for _, tg := range append(names("t", 6), "x00") {
					if v := f.version(tg); v != "v1" {
						t.Errorf("%s left on %s", tg, v)
					}
				}
				if !strings.Contains(err.Error(), "; put back: "+c.target) || strings.Contains(err.Error(), "NOT put back") {
					t.Errorf("the error does not say %s was put back: %v", c.target, err)
				}
			})
		})
	}
}

// A target PutBack could not return is never reported as rolled back: the
// outcome says targets are left unconfirmed, the target carries the error,
// and the message names it as not put back with the version it runs.
func TestPutBackNotDoneIsSaid(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fleet)
	}{
		{"deploy fails", func(f *fleet) { f.deployErr["t04"] = true }},
		{"target vanished", func(f *fleet) {
			f.onDeploy = func(t string) {
				if t == "t00" {
					delete(f.cur, "t04")
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFleet("v1", append(names("t", 6), "x00")...)
				driftOnce(f, "t00", "t04", "v3")
				c.setup(f)
				p := putBackPlan(t)
				ex, _ := rollout.New(&censusFleet{fleet: f})
				rep, err := ex.Run(context.Background(), p, p.Fingerprint())
				if err == nil || rep.Outcome == rollout.OutcomeRolledBack || errors.Is(err, rollout.ErrRolledBack) || !errors.Is(err, rollout.ErrUnknownState) {
					t.Fatalf("t04 left drifted, yet Run = %v (outcome %q)", err, rep.Outcome)
				}
				if strings.HasPrefix(err.Error(), "rollout rolled back") {
					t.Errorf("the error says rolled back: %v", err)
				}
				if !strings.Contains(err.Error(), "NOT put back: t04 (left on ") {
					t.Errorf("the error does not say t04 was not put back: %v", err)
				}
				r, _ := stateOf(rep, "t04")
				if r.PutBack || r.Err == nil || r.State != rollout.StateOffPlan {
					t.Errorf("t04 reported %+v", r)
				}
				if r, _ := stateOf(rep, "t00"); r.State != rollout.StateRolledBack || f.version("t00") != "v1" {
					t.Errorf("t00: %+v on %s", r, f.version("t00"))
				}
			})
		})
	}
}

// A put back is a deploy, and a wrong selector can land it elsewhere: the
// census after it finds the target it moved, which is put back in turn and
// reported; the target the put back missed is reported not put back.
func TestPutBackThatMovesAnotherTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet("v1", append(names("t", 6), "x00")...)
		f.cur["x00"] = "v0"
		f.redirect["t00"] = "t04" // the canary's deploy lands on t04
		f.redirect["t04"] = "x00" // and t04's put back on x00
		p := putBackPlan(t)
		ex, _ := rollout.New(&censusFleet{fleet: f})
		rep, err := ex.Run(context.Background(), p, p.Fingerprint())
		if !errors.Is(err, rollout.ErrUnknownState) || rep.Outcome != rollout.OutcomeUnknown {
			t.Fatalf("Run: %v", err)
		}
		if r, ok := stateOf(rep, "x00"); !ok || !r.PutBack || r.Previous != "v0" || f.version("x00") != "v0" {
			t.Errorf("x00, moved by the put back of t04: %+v, runs %s", r, f.version("x00"))
		}
		if r, _ := stateOf(rep, "t04"); r.PutBack || r.Err == nil || f.version("t04") != "v2" {
			t.Errorf("t04: %+v, runs %s", r, f.version("t04"))
		}
		if !strings.Contains(err.Error(), "NOT put back: t04 (left on v2)") || !strings.Contains(err.Error(), "put back: x00") {
			t.Errorf("error: %v", err)
		}
	})
}
