package reaper

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

func tripLimits(err error) []string {
	var be *BreakerError
	if !errors.As(err, &be) {
		return nil
	}
	var out []string
	for _, t := range be.Trips {
		out = append(out, t.Limit+"/"+t.Stratum+"/"+t.Observer)
	}
	return out
}

func TestBreakerInventoryChecks(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fleet)
		want  string
	}{
		{"empty", func(f *fleet) { f.res = nil }, "inventory-empty//"},
		{"truncated", func(f *fleet) { f.res = f.res[:80] }, "inventory-shrunk//"},
		{"stale", func(f *fleet) { f.stale = 2 * time.Hour }, "inventory-stale//"},
		{"duplicate", func(f *fleet) { f.res = append(f.res, f.res[3]) }, "inventory-invalid//"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r, inv, dep, sink, _ := lifecycle(t, 100)
				sweepOK(t, r)
				tc.setup(inv)
				rep, err := r.Sweep(context.Background())
				if !errors.Is(err, ErrBlastRadius) || !slices.Contains(tripLimits(err), tc.want) {
					t.Fatalf("err = %v, want trip %s", err, tc.want)
				}
				if rep.Alive+rep.Orphan+rep.Unknown != 0 || len(dep.calls) != 0 {
					t.Fatal("observed or acted on a bad inventory")
				}
				if br := sink.Records(KindBreaker); len(br) != 1 || br[0].HaltID == "" {
					t.Fatalf("breaker not audited: %+v", br)
				}
			})
		})
	}
}

func TestBreakerHaltsUntilAcknowledged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		orphans := []string{}
		for i := 0; i < 12; i++ {
			orphans = append(orphans, "orphan-"+itoaT(i))
		}
		r, inv, dep, _, truth := lifecycle(t, 2000, orphans...)
		ctx := context.Background()
		// Grace passes for 12 orphans; 12 quarantines > MaxActions 10.
		var err error
		for i := 0; i < 4 && err == nil; i++ {
			_, err = r.Sweep(ctx)
			time.Sleep(12 * time.Hour)
		}
		var be *BreakerError
		if !errors.As(err, &be) || !slices.Equal(tripLimits(err), []string{"actions//"}) || be.Trips[0].Count != 12 {
			t.Fatalf("err = %v", err)
		}
		if len(dep.calls) != 0 {
			t.Fatal("breaker trimmed and carried on")
		}
		// Halted: later sweeps refuse, even after a restart.
		r2 := mustNew(t, inv, r.obs, dep, r.ledger, append(fast(&memSink{}), Act(Delete, 0), Strata("region"))...)
		if _, err := r2.Sweep(ctx); !errors.Is(err, ErrHalted) {
			t.Fatalf("after restart: %v, want ErrHalted", err)
		}
		if err := r2.Acknowledge(ctx, "nope", "alice"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("ack of wrong halt: %v", err)
		}
		if err := r2.Acknowledge(ctx, be.HaltID, ""); !errors.Is(err, ErrConfig) {
			t.Fatalf("anonymous ack: %v", err)
		}
		// A new orphan starts its grace; the 12 acknowledged actions go through.
		truth["live-5"] = true
		if err := r2.Acknowledge(ctx, be.HaltID, "alice"); err != nil {
			t.Fatal(err)
		}
		// live-5 is a fresh candidate still in grace: planned actions stay 12.
		if _, err := r2.Sweep(ctx); err != nil {
			t.Fatalf("ack of 12 did not let 12 through: %v", err)
		}
		if dep.count(Quarantine) != 12 || len(dep.violations) > 0 {
			t.Fatalf("quarantined %d, violations %v", dep.count(Quarantine), dep.violations)
		}
		// The allowance was for one sweep: 12 deletes later trip again.
		time.Sleep(defaultQuarantineWindow)
		if _, err := r2.Sweep(ctx); !errors.Is(err, ErrBlastRadius) {
			t.Fatalf("allowance outlived its sweep: %v", err)
		}
	})
}

func TestStratumBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inv := &fleet{}
		truth := map[string]bool{}
		for i := 0; i < 1000; i++ {
			region := "big"
			if i%10 == 0 {
				region = "small"
			}
			id := "r" + itoaT(i)
			inv.res = append(inv.res, res(id, "region", region))
			if region == "small" && i < 300 { // 30 of 100 in small: 3% of fleet, 30% of stratum
				truth[id] = true
			}
		}
		lim := testLimits()
		lim.MaxFraction = 0.05 // the fleet-wide limit alone would not notice
		r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, newDep(), newMemLedger(),
			append(fast(&memSink{}), Limit(lim), Strata("region"))...)
		_, err := r.Sweep(context.Background())
		got := tripLimits(err)
		want := []string{"observer-stratum-fraction/region=small/a", "observer-stratum-fraction/region=small/b", "stratum-fraction/region=small/"}
		if !slices.Equal(got, want) {
			t.Fatalf("trips %v, want %v", got, want)
		}
	})
}

func TestAllowedCeil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, c := range []struct {
			f    float64
			n, w int
		}{{0.01, 10000, 100}, {0.1, 5, 1}, {0.1, 0, 0}, {0, 10, 0}, {1, 7, 7}} {
			if got := allowed(c.f, c.n); got != c.w {
				t.Errorf("allowed(%v,%d) = %d, want %d", c.f, c.n, got, c.w)
			}
		}
	})
}
