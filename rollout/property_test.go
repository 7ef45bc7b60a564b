package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
	"pgregory.net/rapid"
)

// Random plans, random deploy/gate/rollback failures and process kills (the
// fleet and the journal die together after a random number of operations),
// followed by random Resume or Abort in a new "process".
func TestPropertyRandomFailuresAndKills(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { rapid.Check(noDeadline{t}, propertyRandomFailuresAndKills) })
}

// noDeadline hides testing.T's Deadline from rapid, which may not call it
// inside a synctest bubble.
type noDeadline struct{ testing.TB }

var phaseNum = map[string]int{"deploy": 1, "bake": 2, "rehearsal": 3, "verify": 4}

func propertyRandomFailuresAndKills(rt *rapid.T) {
	{
		n := rapid.IntRange(1, 24).Draw(rt, "targets")
		targets := names("t", n)
		off := names("x", rapid.IntRange(0, 3).Draw(rt, "offPlan"))
		f := newFleet("v1", append(append([]string{}, targets...), off...)...)
		for _, tg := range targets {
			switch rapid.IntRange(0, 29).Draw(rt, "fault "+tg) {
			case 0:
				f.deployErr[tg] = true
			case 1:
				f.deployErrAfter[tg] = true
			case 2:
				f.rollbackErr[tg] = true
			case 3:
				f.rollbackNoop[tg] = true
			}
		}
		failAt := map[string]bool{}
		for _, k := range rapid.SliceOfN(rapid.StringMatching(`[1-4]/[1-5]/[1-3]`), 0, 3).Draw(rt, "gateFailures") {
			failAt[k] = true
		}
		gate := rollout.Gate{Name: "g", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
			if failAt[fmt.Sprintf("%d/%d/%d", phaseNum[in.Phase], in.Wave, in.Pass)] {
				return errors.New("gate says no")
			}
			return nil
		}}
		opts := []rollout.PlanOption{rollout.Gates(gate),
			rollout.BakeEach(rollout.Bake{Min: time.Duration(rapid.IntRange(0, 3).Draw(rt, "bakeMin")) * time.Minute,
				Passes: rapid.IntRange(1, 3).Draw(rt, "bakePasses"), Every: time.Minute}),
			rollout.Canary(rapid.IntRange(1, min(3, n)).Draw(rt, "canary")),
			rollout.Fractions(rapid.SampledFrom([][]float64{{1}, {0.5, 1}, {0.01, 0.1, 0.5, 1}, {0.3, 0.6, 1}}).Draw(rt, "fractions")...),
		}
		rehearse := rapid.Bool().Draw(rt, "rehearse")
		if !rehearse {
			opts = append(opts, rollout.NoRehearsal())
		}
		p, err := rollout.NewPlan("v2", targets, opts...)
		if err != nil {
			rt.Fatal(err)
		}
		wave0 := map[string]bool{}
		for _, tg := range p.Waves()[0] {
			wave0[tg] = true
		}
		j := &killJournal{f: f}
		conc := rapid.IntRange(1, 4).Draw(rt, "concurrency")
		newEx := func() *rollout.Executor {
			ex, err := rollout.New(f, rollout.Journal(j), rollout.Concurrency(conc))
			if err != nil {
				rt.Fatal(err)
			}
			return ex
		}
		ctx := context.Background()
		f.killAt = rapid.IntRange(0, 6*n+10).Draw(rt, "killAt")
		f.applyThenDie = rapid.Bool().Draw(rt, "applyThenDie")
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		if rapid.Bool().Draw(rt, "cancelInsteadOfKill") {
			f.cancelAt = cancel
		}
		rep, err := newEx().Run(runCtx, p, p.Fingerprint())
		f.cancelAt = nil
		for i := 0; ; i++ {
			if rep != nil && rep.Outcome != rollout.OutcomeInterrupted {
				break
			}
			if err == nil {
				rt.Fatalf("interrupted without an error")
			}
			f.revive()
			last := i >= 3
			if !last {
				f.killAt = rapid.IntRange(0, 6*n+10).Draw(rt, fmt.Sprintf("killAt%d", i))
			}
			ex := newEx()
			if rapid.Bool().Draw(rt, fmt.Sprintf("abort%d", i)) {
				rep, err = ex.Abort(ctx, p, p.Fingerprint())
			} else {
				rep, err = ex.Resume(ctx, p, p.Fingerprint())
			}
			if errors.Is(err, rollout.ErrNothingToResume) {
				if len(f.touched()) != 0 {
					rt.Fatalf("nothing to resume, but targets were touched: %v", f.touched())
				}
				return
			}
			if last && rep != nil && rep.Outcome == rollout.OutcomeInterrupted {
				rt.Fatalf("interrupted without a kill: %v", err)
			}
		}

		// 1. No target outside the plan is ever touched.
		for _, x := range off {
			if f.touched()[x] {
				rt.Fatalf("off-plan target %s touched: %v", x, f.log)
			}
		}
		// 2. Never deploy a target twice (rehearsal redeploys the canary once).
		if len(f.violation) > 0 {
			rt.Fatalf("deploy to a target already on the version: %v", f.violation)
		}
		for tg, k := range f.deploys {
			max := 1
			if rehearse && wave0[tg] {
				max = 2
			}
			if k > max {
				rt.Fatalf("%s deployed %d times (max %d)", tg, k, max)
			}
		}
		// 3. After any failure, every touched target is back on v1 or reported.
		state := map[string]rollout.TargetState{}
		for _, r := range rep.Targets {
			state[r.Target] = r.State
			if r.State == rollout.StateRolledBack && f.version(r.Target) != "v1" {
				rt.Fatalf("%s reported rolled back but runs %s", r.Target, f.version(r.Target))
			}
			if r.State == rollout.StateDeployed && f.version(r.Target) != "v2" {
				rt.Fatalf("%s reported deployed but runs %s", r.Target, f.version(r.Target))
			}
		}
		switch rep.Outcome {
		case rollout.OutcomeSucceeded:
			if err != nil {
				rt.Fatalf("success with error %v", err)
			}
			for _, tg := range targets {
				if f.version(tg) != "v2" {
					rt.Fatalf("success, but %s runs %s", tg, f.version(tg))
				}
			}
		case rollout.OutcomeRolledBack, rollout.OutcomeAborted:
			if rep.Outcome == rollout.OutcomeRolledBack && !errors.Is(err, rollout.ErrRolledBack) {
				rt.Fatalf("rolled back, error %v", err)
			}
			for _, tg := range targets {
				if f.version(tg) != "v1" {
					rt.Fatalf("%v, but %s runs %s", rep.Outcome, tg, f.version(tg))
				}
			}
		default:
			if err == nil {
				rt.Fatalf("outcome %v without error", rep.Outcome)
			}
			for _, tg := range targets {
				if f.version(tg) != "v1" && (state[tg] == "" || state[tg] == rollout.StateRolledBack) {
					rt.Fatalf("%v: %s runs %s and is not reported", rep.Outcome, tg, f.version(tg))
				}
			}
			if rep.Outcome == rollout.OutcomeUnknown && !errors.Is(err, rollout.ErrUnknownState) {
				rt.Fatalf("unknown outcome, error %v", err)
			}
		}
	}
}
