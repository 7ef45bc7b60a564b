package reaper

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// failing builds a fleet of 100 resources with one orphan, "o", whose
// quarantine always fails, with MaxAttempts 3 and Backoff 1h.
func failing(t *testing.T) (*Reaper, *fakeDep, *memSink) {
	t.Helper()
	truth := map[string]bool{"o": true}
	inv := oneOrphanFleet()
	dep, sink := newDep(), &memSink{}
	dep.fail = func(Action, string) error { return errors.New("api: 500") }
	r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
		auditTo(sink), Act(Delete, 0), Grace(1, 0),
		limits(func(l *Limits) { l.MaxAttempts, l.Backoff = 3, time.Hour }))
	return r, dep, sink
}

func TestFailedActionBacksOffThenParks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, dep, sink := failing(t)
		ctx := context.Background()
		sweep := func() (*Report, error) { t.Helper(); return r.Sweep(ctx) }
		_, err := sweep() // attempt 1
		var ae *ActionError
		if !errors.As(err, &ae) || ae.Attempts != 1 || ae.Parked || dep.count(Quarantine) != 1 {
			t.Fatalf("first failure: %v (%+v), calls %v", err, ae, dep.calls)
		}
		time.Sleep(time.Hour - time.Nanosecond)
		if _, err := sweep(); err != nil || dep.count(Quarantine) != 1 {
			t.Fatalf("retried within the backoff: %v, calls %v", err, dep.calls)
		}
		time.Sleep(time.Nanosecond)
		if _, err := sweep(); !errors.As(err, &ae) || ae.Attempts != 2 || ae.Parked || dep.count(Quarantine) != 2 {
			t.Fatalf("attempt 2 (of 3): %v, calls %v", err, dep.calls)
		}
		time.Sleep(2*time.Hour - time.Nanosecond) // the backoff doubled
		if _, err := sweep(); err != nil || dep.count(Quarantine) != 2 {
			t.Fatalf("retried within the doubled backoff: %v", err)
		}
		time.Sleep(time.Nanosecond)
		rep, err := sweep()
		if !errors.As(err, &ae) || ae.Attempts != 3 || !ae.Parked || dep.count(Quarantine) != 3 {
			t.Fatalf("attempt 3: %v", err)
		}
		if len(rep.Parked) != 1 || rep.Parked[0].Resource != "o" || rep.Parked[0].Err.Error() != "api: 500" {
			t.Fatalf("report: %+v", rep.Parked)
		}
		for i := 0; i < 5; i++ {
			time.Sleep(24 * time.Hour)
			if _, err := sweep(); err != nil {
				t.Fatal(err)
			}
		}
		if dep.count(Quarantine) != 3 {
			t.Fatalf("a parked resource was tried again: %v", dep.calls)
		}
		st, _ := r.Status(ctx)
		if !slices.Equal(st.Parked, []string{"o"}) || len(st.Quarantined) != 0 {
			t.Fatalf("status: %+v", st)
		}
		if e := st.Entries["o"]; e.Stage != "parked" || e.Parked != Quarantine || e.Err != "api: 500" || e.Attempts != 3 {
			t.Fatalf("status of the parked resource: %+v, want parked quarantine with its last error", e)
		}
		var parked []record
		for _, rec := range sink.Records(KindAction) {
			if rec.Msg == "reaper: action: quarantine parked" {
				parked = append(parked, rec)
			}
		}
		if len(parked) != 1 || parked[0].Resource != "o" || parked[0].Err == nil {
			t.Fatalf("parking not audited: %+v", parked)
		}
		// A person restores it (a quarantine may have half happened).
		if err := r.Restore(ctx, "o"); err == nil {
			t.Fatal("restore through the failing deprovisioner succeeded")
		}
		dep.fail = nil
		if err := r.Restore(ctx, "o"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBackoffDoublesUpToAYear(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Hour, 2: 2 * time.Hour, 3: 4 * time.Hour, 4: 8 * time.Hour, 100: 365 * 24 * time.Hour} {
		if got := backoff(time.Hour, n); got != want {
			t.Errorf("backoff(1h, %d) = %v, want %v", n, got, want)
		}
	}
	if got := backoff(0, 10); got != 0 {
		t.Errorf("backoff(0, 10) = %v", got)
	}
}

func TestRestoreIsNeverDelayedByBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, dep, _ := failing(t)
		ctx := context.Background()
		r.Sweep(ctx) // the quarantine fails: backing off
		r.obs[0] = truthObs("a", nil)
		r.obs[1] = truthObs("b", nil) // now Alive: undo whatever half happened
		dep.fail = nil
		rep, err := r.Sweep(ctx)
		if err != nil || !slices.Equal(rep.Restored, []string{"o"}) {
			t.Fatalf("restore waited for the backoff: %v %+v", err, rep)
		}
	})
}

func TestUnlistedQuarantinedForgottenAfterRetention(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, inv, dep, _, _ := lifecycle(t, 200, "o")
		r.cfg.limits.Retention = 48 * time.Hour
		ctx := context.Background()
		for i := 0; i < 4; i++ {
			sweepOK(t, r)
			time.Sleep(12 * time.Hour)
		}
		if dep.count(Quarantine) != 1 {
			t.Fatalf("not quarantined: %v", dep.calls)
		}
		inv.remove("o")
		sweepOK(t, r) // first unlisted
		time.Sleep(48*time.Hour - time.Nanosecond)
		if rep := sweepOK(t, r); len(rep.Pruned) != 0 {
			t.Fatalf("pruned before the retention period: %v", rep.Pruned)
		}
		if st, _ := r.Status(ctx); !slices.Equal(st.Quarantined, []string{"o"}) {
			t.Fatalf("forgotten early: %+v", st)
		}
		time.Sleep(time.Nanosecond)
		rep := sweepOK(t, r)
		if !slices.Equal(rep.Pruned, []string{"o"}) {
			t.Fatalf("not pruned after the retention period: %+v", rep)
		}
		if st, _ := r.Status(ctx); len(st.Quarantined) != 0 || dep.count(Delete) != 0 || dep.count(Restore) != 0 {
			t.Fatalf("status %+v calls %v", st, dep.calls)
		}
	})
}

func TestGraceAndWindowBoundaries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, dep, _, _ := lifecycle(t, 200, "o") // grace 3 sweeps over 24h, window 72h
		sweepOK(t, r)
		time.Sleep(12 * time.Hour)
		sweepOK(t, r)
		time.Sleep(12*time.Hour - time.Nanosecond)
		sweepOK(t, r) // third sweep, 1ns short of the period
		if dep.count(Quarantine) != 0 {
			t.Fatal("quarantined before the grace period")
		}
		time.Sleep(time.Nanosecond)
		sweepOK(t, r) // the period exactly
		if dep.count(Quarantine) != 1 {
			t.Fatalf("not quarantined at exactly the grace period: %v", dep.calls)
		}
		time.Sleep(72*time.Hour - time.Nanosecond)
		sweepOK(t, r)
		if dep.count(Delete) != 0 {
			t.Fatal("deleted before the window")
		}
		time.Sleep(time.Nanosecond)
		sweepOK(t, r)
		if dep.count(Delete) != 1 {
			t.Fatalf("not deleted at exactly the window: %v", dep.calls)
		}
	})
}

func TestGraceNeedsEverySweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, dep, _, _ := lifecycle(t, 200, "o")
		r.cfg.graceSweeps = 4
		for i := 0; i < 3; i++ {
			sweepOK(t, r)
			time.Sleep(24 * time.Hour)
		}
		if dep.count(Quarantine) != 0 {
			t.Fatal("quarantined after 3 of 4 sweeps")
		}
		sweepOK(t, r)
		if dep.count(Quarantine) != 1 {
			t.Fatal("not quarantined after 4 of 4 sweeps")
		}
	})
}
