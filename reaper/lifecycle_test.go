package reaper

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"
)

// lifecycle builds a fleet of n alive resources plus the given orphans, with
// three truthful observers, in Delete mode with default grace and window.
func lifecycle(t *testing.T, n int, orphans ...string) (*Reaper, *fleet, *fakeDep, *memSink, map[string]bool) {
	t.Helper()
	inv := &fleet{}
	for i := 0; i < n; i++ {
		inv.res = append(inv.res, res("live-"+itoaT(i), "region", "r1"))
	}
	truth := map[string]bool{}
	for _, id := range orphans {
		inv.res = append(inv.res, res(id, "region", "r1"))
		truth[id] = true
	}
	dep, sink := newDep(), &memSink{}
	r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth), truthObs("c", truth)}, dep, newMemLedger(),
		append(fast(sink), Act(Delete, 0), Strata("region"))...)
	return r, inv, dep, sink, truth
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
	synctest.Test(t, func(t *testing.T) {
		r, _, dep, _, _ := lifecycle(t, 200, "orphan-1")
		// Three sweeps an hour apart: enough sweeps, not enough time.
		for i := 0; i < 3; i++ {
			sweepOK(t, r)
			time.Sleep(time.Hour)
		}
		if n := dep.count(Quarantine); n != 0 {
			t.Fatalf("quarantined after 2h of grace: %d", n)
		}
		time.Sleep(24 * time.Hour)
		rep := sweepOK(t, r)
		if !slices.Equal(rep.Quarantined, []string{"orphan-1"}) {
			t.Fatalf("after 24h and 4 sweeps: %+v", rep)
		}
		if rep.Quarantined == nil || dep.count(Delete) != 0 {
			t.Fatal("deleted without quarantine window")
		}
		time.Sleep(defaultQuarantineWindow - time.Minute)
		sweepOK(t, r)
		if dep.count(Delete) != 0 {
			t.Fatal("deleted before the quarantine window ended")
		}
		time.Sleep(time.Minute)
		rep = sweepOK(t, r)
		if !slices.Equal(rep.Deleted, []string{"orphan-1"}) || len(dep.violations) > 0 {
			t.Fatalf("not deleted after window: %+v %v", rep, dep.violations)
		}
		// A deleted resource still listed is never acted on again.
		time.Sleep(100 * time.Hour)
		sweepOK(t, r)
		if dep.count(Delete) != 1 || dep.count(Quarantine) != 1 {
			t.Fatalf("acted twice: %v", dep.calls)
		}
	})
}

func TestGraceResetByAliveOrUnknown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, dep, _, truth := lifecycle(t, 200, "orphan-1")
		sweepOK(t, r)
		time.Sleep(13 * time.Hour)
		sweepOK(t, r)
		time.Sleep(13 * time.Hour)
		truth["orphan-1"] = false // someone claims it: Alive resets
		sweepOK(t, r)
		truth["orphan-1"] = true
		for i := 0; i < 2; i++ {
			time.Sleep(13 * time.Hour)
			sweepOK(t, r)
		}
		if dep.count(Quarantine) != 0 {
			t.Fatal("grace not reset by Alive")
		}
		time.Sleep(13 * time.Hour)
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
	})
}

func TestQuarantineModeNeverDeletes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{"o": true}
		inv := oneOrphanFleet()
		dep := newDep()
		r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
			append(fast(&memSink{}), Act(Quarantine, 0), Grace(1, 0), QuarantineWindow(0))...)
		for i := 0; i < 5; i++ {
			sweepOK(t, r)
			time.Sleep(time.Hour)
		}
		if dep.count(Quarantine) != 1 || dep.count(Delete) != 0 {
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
	})
}

// TestStatusDetail: Status says when the last sweep ran, in which mode,
// what it counted, and when a quarantined resource's delete may follow.
func TestStatusDetail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{"o": true}
		r := mustNew(t, oneOrphanFleet(), []Observer{truthObs("a", truth), truthObs("b", truth)}, newDep(), newMemLedger(),
			append(fast(&memSink{}), Act(Quarantine, 0), Grace(1, 0), QuarantineWindow(72*time.Hour))...)
		began := time.Now()
		rep := sweepOK(t, r)
		st, err := r.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := SweepSummary{At: began, Mode: Quarantine, Resources: rep.Resources, Alive: rep.Alive, Orphan: 1, Unknown: rep.Unknown}
		if st.Last == nil || !st.Last.At.Equal(want.At) || st.Last.Mode != want.Mode || st.Last.Resources != want.Resources ||
			st.Last.Alive != want.Alive || st.Last.Orphan != 1 || st.Last.Unknown != want.Unknown {
			t.Fatalf("Last = %+v, want %+v", st.Last, want)
		}
		e := st.Entries["o"]
		if e.Stage != "quarantined" || !e.QuarantinedAt.Equal(began) || !e.Deadline.Equal(began.Add(72*time.Hour)) || len(st.Entries) != 1 {
			t.Fatalf("Entries = %+v, want o quarantined now with its delete 72h later", st.Entries)
		}
	})
}

func TestShadowNeverActs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{"o": true}
		inv := oneOrphanFleet()
		dep, sink := newDep(), &memSink{}
		r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
			auditTo(sink), Grace(1, 0))
		rep := sweepOK(t, r)
		if rep.Mode != 0 || len(rep.Planned) != 1 || len(dep.calls) != 0 {
			t.Fatalf("shadow: %+v calls %v", rep, dep.calls)
		}
		recs := sink.Records(KindAction)
		if len(recs) != 1 || !recs[0].Shadow || recs[0].Action != Quarantine {
			t.Fatalf("shadow action not recorded: %+v", recs)
		}
	})
}

func TestPromotionRefusedUntilEveryStratumShadowed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{"o1": true}
		inv := &fleet{res: []Resource{res("o1", "region", "small")}}
		for i := 0; i < 100; i++ {
			inv.res = append(inv.res, res("s"+itoaT(i), "region", "small"))
		}
		dep := newDep()
		led := newMemLedger()
		opts := []Option{auditTo(&memSink{}), Limit(testLimits()), Grace(1, 0), Strata("region")}
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
		r := mustNew(t, inv, obsv, dep, led, append(opts, Act(Delete, defaultGraceSweeps))...)
		for i := 0; i < 3; i++ {
			rep, err := r.Sweep(context.Background())
			var pe *PromotionError
			if !errors.As(err, &pe) || !errors.Is(err, ErrNotPromoted) {
				t.Fatalf("sweep %d: err = %v, want *PromotionError", i, err)
			}
			if rep.Mode != 0 || len(pe.Strata) != 1 || pe.Strata["region=big"] != i {
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
	})
}

func TestLiveRecheckAbortsAction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{"o": true}
		inv := oneOrphanFleet()
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
		dep, sink := newDep(), &memSink{}
		r := mustNew(t, inv, []Observer{truthObs("a", truth), flip}, dep, newMemLedger(),
			append(fast(sink), Act(Delete, 0), Grace(1, 0))...)
		rep := sweepOK(t, r)
		if len(dep.calls) != 0 || !slices.Equal(rep.Skipped, []string{"o"}) {
			t.Fatalf("re-check did not stop the action: %+v %v", rep, dep.calls)
		}
		if rc := sink.Records(KindRecheck); len(rc) != 1 || rc[0].Verdict != Alive {
			t.Fatalf("recheck not audited: %+v", rc)
		}
	})
}

func TestPreconditionFailureAborts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{"o": true}
		inv := &fleet{res: []Resource{res("o", "gen", "old")}}
		for i := 0; i < 100; i++ {
			inv.res = append(inv.res, res("l"+itoaT(i), "gen", "old"))
		}
		dep := newDep()
		dep.fail = func(act Action, id string) error {
			return Precondition{Attrs: map[string]string{"gen": "old"}}.Check(map[string]string{"gen": "new"})
		}
		r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
			append(fast(&memSink{}), Act(Delete, 0), Grace(1, 0))...)
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
	})
}

func TestRateLimitSpacesActions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{}
		inv := &fleet{}
		for i := 0; i < 1000; i++ {
			id := "r" + itoaT(i)
			inv.res = append(inv.res, res(id))
			if i < 5 {
				truth[id] = true
			}
		}
		dep := newDep()
		r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
			auditTo(&memSink{}), Act(Quarantine, 0), Grace(1, 0), limits(func(l *Limits) { l.Rate, l.Burst = rate.Every(time.Minute), 1 }))
		start := time.Now()
		rep := sweepOK(t, r)
		if len(rep.Quarantined) != 5 {
			t.Fatalf("%+v", rep)
		}
		if slept := time.Since(start); slept != 4*time.Minute {
			t.Fatalf("slept %v, want 4m for 5 actions at 1/min", slept)
		}
	})
}
