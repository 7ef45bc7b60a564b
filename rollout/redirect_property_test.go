package rollout_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
	"pgregory.net/rapid"
)

// For any redirect map inside the deploy tool (Deploy of one target changes
// another, in the plan or not) and any deploy failures, with a census: Run
// never reports success while a plan target is off the new version or an
// off-plan target changed, and every target whose version changed is in
// the report.
func TestPropertyRedirectsNeverReportSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { rapid.Check(noDeadline{t}, propertyRedirects) })
}

func propertyRedirects(rt *rapid.T) {
	n := rapid.IntRange(1, 16).Draw(rt, "targets")
	targets := names("t", n)
	off := names("x", rapid.IntRange(0, 3).Draw(rt, "offPlan"))
	all := append(append([]string{}, targets...), off...)
	f := newFleet("v1", all...)
	for _, tg := range all {
		if rapid.IntRange(0, 4).Draw(rt, "alreadyNew "+tg) == 0 {
			f.cur[tg] = "v2"
		}
	}
	for _, tg := range targets {
		switch rapid.IntRange(0, 9).Draw(rt, "fault "+tg) {
		case 0, 1:
			f.redirect[tg] = rapid.SampledFrom(all).Draw(rt, "redirect "+tg)
		case 2:
			f.deployErr[tg] = true
		}
	}
	before := map[string]string{}
	for _, tg := range all {
		before[tg] = f.cur[tg]
	}
	opts := []rollout.PlanOption{rollout.Gates(pass("g")), rollout.Settle(time.Duration(rapid.IntRange(0, 2).Draw(rt, "settle")) * time.Second)}
	if rapid.Bool().Draw(rt, "noRehearsal") {
		opts = append(opts, rollout.NoRehearsal())
	}
	if rapid.Bool().Draw(rt, "putBack") {
		opts = append(opts, rollout.PutBack())
	}
	p, err := rollout.NewPlan("v2", targets, opts...)
	if err != nil {
		rt.Fatal(err)
	}
	ex, _ := rollout.New(&censusFleet{fleet: f}, rollout.Concurrency(rapid.IntRange(1, 4).Draw(rt, "concurrency")))
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	if rep == nil {
		rt.Fatalf("no report: %v", err)
	}
	if rep.Outcome == rollout.OutcomeSucceeded || err == nil {
		if err != nil || rep.Outcome != rollout.OutcomeSucceeded {
			rt.Fatalf("outcome %v with error %v", rep.Outcome, err)
		}
		for _, tg := range targets {
			if f.version(tg) != "v2" {
				rt.Fatalf("success, but %s runs %s", tg, f.version(tg))
			}
		}
		for _, x := range off {
			if f.version(x) != before[x] {
				rt.Fatalf("success, but off-plan %s changed %s → %s", x, before[x], f.version(x))
			}
		}
	}
	listed := map[string]rollout.TargetResult{}
	for _, r := range rep.Targets {
		listed[r.Target] = r
	}
	for _, tg := range all {
		if f.version(tg) == before[tg] {
			continue
		}
		r, ok := listed[tg]
		if !ok {
			rt.Fatalf("%s changed %s → %s and is not in the report %+v", tg, before[tg], f.version(tg), rep.Targets)
		}
		if r.State == rollout.StateRolledBack && f.version(tg) != r.Previous {
			rt.Fatalf("%s reported rolled back to %s but runs %s", tg, r.Previous, f.version(tg))
		}
		if r.PutBack && f.version(tg) != r.Previous {
			rt.Fatalf("%s reported put back to %s but runs %s", tg, r.Previous, f.version(tg))
		}
	}
}
