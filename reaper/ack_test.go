package reaper

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// firstRunFleet is issue 28's fleet: 126 resources, 4 of them orphans, so
// the 1% limit (2 of 126) trips on the first sweep.
func firstRunFleet(t *testing.T, opts ...Option) (*Reaper, *fleet, *fakeDep) {
	t.Helper()
	inv := &fleet{}
	truth := map[string]bool{}
	for i := 0; i < 122; i++ {
		inv.res = append(inv.res, res("live-"+itoaT(i)))
	}
	for i := 0; i < 4; i++ {
		id := "orphan-" + itoaT(i)
		inv.res = append(inv.res, res(id))
		truth[id] = true
	}
	dep := newDep()
	r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
		append(fast(&memSink{}), opts...)...)
	return r, inv, dep
}

// TestAcknowledgeSurvivesShadowSweeps: on a first-run fleet the halt comes
// from a shadow sweep; the acknowledgement must carry through the shadow
// sweeps that follow and the acting sweeps still in grace, and be spent by
// the sweep that quarantines. Before, the first shadow sweep spent it and
// the first acting sweep halted again: two halts before anything acted.
func TestAcknowledgeSurvivesShadowSweeps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, dep := firstRunFleet(t, Act(Quarantine, 1))
		ctx := context.Background()
		_, err := r.Sweep(ctx)
		var be *BreakerError
		if !errors.As(err, &be) || !slices.Equal(tripLimits(err), []string{"inventory-fraction//"}) {
			t.Fatalf("first sweep: %v, want the 1%% limit tripped", err)
		}
		if err := r.Acknowledge(ctx, be.HaltID, "oncall"); err != nil {
			t.Fatal(err)
		}
		// Sweep 2: shadow (no shadow history yet); sweeps 3 and 4 act, but
		// the orphans are in grace until sweep 4 (3 sweeps over 24h).
		modes := []Action{0, Quarantine, Quarantine}
		for i, want := range modes {
			rep, err := r.Sweep(ctx)
			if want == 0 && errors.Is(err, ErrNotPromoted) {
				err = nil // ran as shadow for lack of shadow history, as it should
			}
			if err != nil {
				t.Fatalf("sweep %d after the acknowledgement: %v", i+2, err)
			}
			if rep.Mode != want || len(rep.Acknowledged) != 1 {
				t.Fatalf("sweep %d: mode %v, acknowledged %v; want mode %v, the 1%% trip acknowledged", i+2, rep.Mode, rep.Acknowledged, want)
			}
			if i < len(modes)-1 {
				time.Sleep(12 * time.Hour)
			}
		}
		if n := dep.count(Quarantine); n != 4 {
			t.Fatalf("quarantined %d, want the 4 acknowledged orphans", n)
		}
		// The acting sweep spent it: the 4, still judged orphaned, trip again.
		if _, err := r.Sweep(ctx); !errors.Is(err, ErrBlastRadius) {
			t.Fatalf("sweep after the acting one: %v, want the allowance spent", err)
		}
	})
}

// TestAcknowledgeKeptOnlyWhileRaised: a sweep that does not act keeps only
// the allowances of the trips it raised again, so an acknowledged shrink
// does not excuse a later, different shrink.
func TestAcknowledgeKeptOnlyWhileRaised(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, inv, dep, _, _ := lifecycle(t, 100)
		ctx := context.Background()
		sweepOK(t, r)
		inv.res = inv.res[:80]
		_, err := r.Sweep(ctx)
		var be *BreakerError
		if !errors.As(err, &be) || !slices.Equal(tripLimits(err), []string{"inventory-shrunk//"}) {
			t.Fatalf("shrink: %v", err)
		}
		if err := r.Acknowledge(ctx, be.HaltID, "oncall"); err != nil {
			t.Fatal(err)
		}
		if rep := sweepOK(t, r); len(rep.Acknowledged) != 1 {
			t.Fatalf("acknowledged %v, want the shrink", rep.Acknowledged)
		}
		sweepOK(t, r) // no shrink: the allowance is dropped
		inv.res = inv.res[:64]
		if _, err := r.Sweep(ctx); !slices.Equal(tripLimits(err), []string{"inventory-shrunk//"}) {
			t.Fatalf("second shrink: %v, want it to halt", err)
		}
		if len(dep.calls) != 0 {
			t.Fatalf("acted: %v", dep.calls)
		}
	})
}

// TestAllowanceSpentOnlyByWhatTheModeTakes: an acknowledgement is spent by
// a sweep that takes an action, and kept by one that only records it: a
// shadow sweep, and a Quarantine-mode sweep whose only planned acts are
// deletes (recorded, not taken, until the mode is Delete).
func TestAllowanceSpentOnlyByWhatTheModeTakes(t *testing.T) {
	trip := Trip{Limit: "inventory-fraction", Count: 4, Allowed: 2, Total: 126}
	for _, tc := range []struct {
		name  string
		mode  Action
		acts  []Action
		spent bool
	}{
		{"shadow, quarantines planned", 0, []Action{Quarantine}, false},
		{"shadow, deletes planned", 0, []Action{Delete}, false},
		{"quarantine mode, nothing planned", Quarantine, nil, false},
		{"quarantine mode, only deletes planned", Quarantine, []Action{Delete, Delete}, false},
		{"quarantine mode, a quarantine", Quarantine, []Action{Delete, Quarantine}, true},
		{"delete mode, only deletes", Delete, []Action{Delete}, true},
		{"delete mode, only quarantines", Delete, []Action{Quarantine}, true},
	} {
		s := &sweep{mode: tc.mode, st: &state{Allow: map[string]int{trip.key(): 4}}, rep: &Report{Acknowledged: []Trip{trip}}}
		for i, a := range tc.acts {
			s.plan.acts = append(s.plan.acts, intent{i: i, act: a})
		}
		kept := s.keptAllowance()
		if spent := kept[trip.key()] == 0; spent != tc.spent {
			t.Errorf("%s: allowance kept %v, want spent %v", tc.name, kept, tc.spent)
		}
	}
}
