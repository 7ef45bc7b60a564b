package reaper

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// lifecycle builds a fleet of n alive resources plus the given orphans, with
// three truthful observers, in Delete mode with default grace and window.
func lifecycle(t *testing.T, n int, orphans ...string) (*Reaper, *fleet, *fakeDep, *fakeClock, *MemorySink, map[string]bool) {
	t.Helper()
	c := newClock()
	inv := &fleet{clock: c}
	for i := 0; i < n; i++ {
		inv.res = append(inv.res, res("live-"+itoaT(i), "region", "r1"))
	}
	truth := map[string]bool{}
	for _, id := range orphans {
		inv.res = append(inv.res, res(id, "region", "r1"))
		truth[id] = true
	}
	dep, sink := newDep(), &MemorySink{}
	r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth), truthObs("c", truth)}, dep, &MemoryLedger{},
		append(fast(c, sink), WithMode(Delete), WithStrata("region"))...)
	return r, inv, dep, c, sink, truth
}

func sweepOK(t *testing.T, r *Reaper) *Report {
	t.Helper()
	rep, err := r.Sweep(context.Background())
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	return rep
}

func TestGraceNeedsSweepsAndTime(t *testing.T) {
	r, _, dep, c, _, _ := lifecycle(t, 200, "orphan-1")
	// Three sweeps an hour apart: enough sweeps, not enough time.
	for i := 0; i < 3; i++ {
		sweepOK(t, r)
		c.Advance(time.Hour)
	}
	if n := dep.count(ActQuarantine); n != 0 {
		t.Fatalf("quarantined after 2h of grace: %d", n)
	}
	c.Advance(24 * time.Hour)
	rep := sweepOK(t, r)
	if !slices.Equal(rep.Quarantined, []string{"orphan-1"}) {
		t.Fatalf("after 24h and 4 sweeps: %+v", rep)
	}
	if rep.Quarantined == nil || dep.count(ActDelete) != 0 {
		t.Fatal("deleted without quarantine window")
	}
	c.Advance(DefaultQuarantineWindow - time.Minute)
	sweepOK(t, r)
	if dep.count(ActDelete) != 0 {
		t.Fatal("deleted before the quarantine window ended")
	}
	c.Advance(time.Minute)
	rep = sweepOK(t, r)
	if !slices.Equal(rep.Deleted, []string{"orphan-1"}) || len(dep.violations) > 0 {
		t.Fatalf("not deleted after window: %+v %v", rep, dep.violations)
	}
	// A deleted resource still listed is never acted on again.
	c.Advance(100 * time.Hour)
	sweepOK(t, r)
	if dep.count(ActDelete) != 1 || dep.count(ActQuarantine) != 1 {
		t.Fatalf("acted twice: %v", dep.calls)
	}
}

func TestGraceResetByAliveOrUnknown(t *testing.T) {
	r, _, dep, c, _, truth := lifecycle(t, 200, "orphan-1")
	sweepOK(t, r)
	c.Advance(13 * time.Hour)
	sweepOK(t, r)
	c.Advance(13 * time.Hour)
	truth["orphan-1"] = false // someone claims it: Alive resets
	sweepOK(t, r)
	truth["orphan-1"] = true
	for i := 0; i < 2; i++ {
		c.Advance(13 * time.Hour)
		sweepOK(t, r)
	}
	if dep.count(ActQuarantine) != 0 {
		t.Fatal("grace not reset by Alive")
	}
	c.Advance(13 * time.Hour)
	rep := sweepOK(t, r)
	if len(rep.Quarantined) != 1 {
		t.Fatalf("not quarantined after a fresh full grace: %+v", rep)
	}
	// Alive while quarantined: restored.
	truth["orphan-1"] = false
	rep = sweepOK(t, r)
	if !slices.Equal(rep.Restored, []string{"orphan-1"}) || len(dep.quarantined) != 0 {
		t.Fatalf("not restored on Alive: %+v", rep)
	}
}

func TestQuarantineModeNeverDeletes(t *testing.T) {
	c := newClock()
	truth := map[string]bool{"o": true}
	inv := &fleet{clock: c, res: []Resource{res("o")}}
	for i := 0; i < 100; i++ {
		inv.res = append(inv.res, res("l"+itoaT(i)))
	}
	dep := newDep()
	r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, &MemoryLedger{},
		append(fast(c, &MemorySink{}), WithMode(Quarantine), WithGrace(1, 0), WithQuarantineWindow(0))...)
	for i := 0; i < 5; i++ {
		sweepOK(t, r)
		c.Advance(time.Hour)
	}
	if dep.count(ActQuarantine) != 1 || dep.count(ActDelete) != 0 {
		t.Fatalf("calls %v", dep.calls)
	}
	st, err := r.Status(context.Background())
	if err != nil || !slices.Equal(st.Quarantined, []string{"o"}) {
		t.Fatalf("status %+v %v", st, err)
	}
	if err := r.Restore(context.Background(), "o"); err != nil {
		t.Fatal(err)
	}
	if len(dep.quarantined) != 0 {
		t.Fatal("manual restore did not restore")
	}
	if err := r.Restore(context.Background(), "o"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second restore: %v", err)
	}
}

func TestShadowNeverActs(t *testing.T) {
	c := newClock()
	truth := map[string]bool{"o": true}
	inv := &fleet{clock: c, res: []Resource{res("o")}}
	for i := 0; i < 100; i++ {
		inv.res = append(inv.res, res("l"+itoaT(i)))
	}
	dep, sink := newDep(), &MemorySink{}
	r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, &MemoryLedger{},
		WithClock(c), WithAudit(sink), WithGrace(1, 0))
	rep := sweepOK(t, r)
	if rep.Mode != Shadow || len(rep.Planned) != 1 || len(dep.calls) != 0 {
		t.Fatalf("shadow: %+v calls %v", rep, dep.calls)
	}
	recs := sink.Records(KindAction)
	if len(recs) != 1 || !recs[0].Shadow || recs[0].Action != ActQuarantine {
		t.Fatalf("shadow action not recorded: %+v", recs)
	}
}

func TestPromotionRefusedUntilEveryStratumShadowed(t *testing.T) {
	c := newClock()
	truth := map[string]bool{"o1": true}
	inv := &fleet{clock: c, res: []Resource{res("o1", "region", "small")}}
	for i := 0; i < 100; i++ {
		inv.res = append(inv.res, res("s"+itoaT(i), "region", "small"))
	}
	dep := newDep()
	led := &MemoryLedger{}
	opts := []Option{WithClock(c), WithAudit(&MemorySink{}), WithRate(rate.Inf, 0), WithGrace(1, 0), WithStrata("region")}
	obsv := []Observer{truthObs("a", truth), truthObs("b", truth)}
	shadow := mustNew(t, inv, obsv, dep, led, opts...)
	for i := 0; i < 3; i++ {
		sweepOK(t, shadow)
	}
	// A large region appears (Xervo: us-east-1 after the small ones).
	for i := 0; i < 100; i++ {
		inv.res = append(inv.res, res("big"+itoaT(i), "region", "big"))
	}
	truth["big7"] = true
	r := mustNew(t, inv, obsv, dep, led, append(opts, WithMode(Delete))...)
	for i := 0; i < 3; i++ {
		rep, err := r.Sweep(context.Background())
		var pe *PromotionError
		if !errors.As(err, &pe) || !errors.Is(err, ErrNotPromoted) {
			t.Fatalf("sweep %d: err = %v, want *PromotionError", i, err)
		}
		if rep.Mode != Shadow || len(pe.Strata) != 1 || pe.Strata[0].Stratum != "region=big" || pe.Strata[0].Sweeps != i {
			t.Fatalf("sweep %d: mode %v strata %+v", i, rep.Mode, pe.Strata)
		}
		if len(dep.calls) != 0 {
			t.Fatal("acted while promotion refused")
		}
	}
	rep := sweepOK(t, r)
	if rep.Mode != Delete || len(rep.Quarantined) != 2 {
		t.Fatalf("after shadow period: %+v", rep)
	}
}

func TestLiveRecheckAbortsAction(t *testing.T) {
	c := newClock()
	truth := map[string]bool{"o": true}
	inv := &fleet{clock: c, res: []Resource{res("o")}}
	for i := 0; i < 100; i++ {
		inv.res = append(inv.res, res("l"+itoaT(i)))
	}
	calls := 0
	flip := obs{name: "flip", source: "f", fn: func(_ context.Context, r Resource) (Vote, error) {
		if r.ID != "o" {
			return Vote{Alive, "ok"}, nil
		}
		calls++
		if calls == 1 {
			return Vote{Orphan, "not yet"}, nil
		}
		return Vote{Alive, "owner just attached it"}, nil
	}}
	dep, sink := newDep(), &MemorySink{}
	r := mustNew(t, inv, []Observer{truthObs("a", truth), flip}, dep, &MemoryLedger{},
		append(fast(c, sink), WithMode(Delete), WithGrace(1, 0))...)
	rep := sweepOK(t, r)
	if len(dep.calls) != 0 || !slices.Equal(rep.Skipped, []string{"o"}) {
		t.Fatalf("re-check did not stop the action: %+v %v", rep, dep.calls)
	}
	if rc := sink.Records(KindRecheck); len(rc) != 1 || rc[0].Verdict != Alive {
		t.Fatalf("recheck not audited: %+v", rc)
	}
}

func TestPreconditionFailureAborts(t *testing.T) {
	c := newClock()
	truth := map[string]bool{"o": true}
	inv := &fleet{clock: c, res: []Resource{res("o", "gen", "old")}}
	for i := 0; i < 100; i++ {
		inv.res = append(inv.res, res("l"+itoaT(i), "gen", "old"))
	}
	dep := newDep()
	dep.fail = func(act Action, id string) error {
		return Precondition{Attrs: map[string]string{"gen": "old"}}.Check(map[string]string{"gen": "new"})
	}
	r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, &MemoryLedger{},
		append(fast(c, &MemorySink{}), WithMode(Delete), WithGrace(1, 0))...)
	rep, err := r.Sweep(context.Background())
	var ae *ActionError
	if !errors.As(err, &ae) || !errors.Is(err, ErrPrecondition) || ae.Resource != "o" {
		t.Fatalf("err = %v", err)
	}
	if len(rep.Quarantined) != 0 || len(dep.quarantined) != 0 {
		t.Fatal("acted despite failed precondition")
	}
	st, _ := r.Status(context.Background())
	if len(st.Candidates)+len(st.Quarantined) != 0 {
		t.Fatalf("changed resource not forgotten: %+v", st)
	}
}

func TestRateLimitSpacesActions(t *testing.T) {
	c := newClock()
	truth := map[string]bool{}
	inv := &fleet{clock: c}
	for i := 0; i < 1000; i++ {
		id := "r" + itoaT(i)
		inv.res = append(inv.res, res(id))
		if i < 5 {
			truth[id] = true
		}
	}
	dep := newDep()
	r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, &MemoryLedger{},
		WithClock(c), WithAudit(&MemorySink{}), WithShadowSweeps(0), WithMode(Quarantine), WithGrace(1, 0), WithRate(rate.Every(time.Minute), 1))
	rep := sweepOK(t, r)
	if len(rep.Quarantined) != 5 {
		t.Fatalf("%+v", rep)
	}
	if c.slept != 4*time.Minute {
		t.Fatalf("slept %v, want 4m for 5 actions at 1/min", c.slept)
	}
}
