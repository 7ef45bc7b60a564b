package reaper

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// jumpWorld is one replica on a FileLedger whose wall clock is the system
// clock plus a jump the test changes, as an NTP step or a VM restore does.
type jumpWorld struct {
	t    *testing.T
	r    *Reaper
	inv  *fleet
	dep  *fakeDep
	sink *memSink
	jump time.Duration
}

// systemNow is a reading of the system clock taken outside every bubble,
// so it carries a monotonic reading: inside a synctest bubble time.Now's
// readings do not, and a clock without one is taken for a simulation.
var systemNow = time.Now()

func newJumpWorld(t *testing.T) *jumpWorld {
	t.Helper()
	start := time.Now() // the bubble's clock
	w := &jumpWorld{t: t, inv: oneOrphanFleet(), dep: newDep(), sink: &memSink{}}
	now := func() time.Time { return systemNow.Add(time.Since(start) + w.jump) }
	led, err := FileLedger(filepath.Join(t.TempDir(), "ledger"))
	if err != nil {
		t.Fatal(err)
	}
	truth := map[string]bool{"o": true}
	w.r = mustNew(t, &clockFleet{w.inv, now}, []Observer{truthObs("a", truth), truthObs("b", truth)}, w.dep, led,
		append(fast(w.sink), Act(Delete, 0), Clock(now))...)
	return w
}

// setJump moves the replica's wall clock (the inventory reads the same
// clock, as Listing.AsOf must).
func (w *jumpWorld) setJump(d time.Duration) { w.jump = d }

// sweepsUntil sweeps every hour of real time until act has happened, and
// returns the real hours it took, from the first sweep.
func (w *jumpWorld) sweepsUntil(act Action, jumpAt int, jump time.Duration, max int) (hours int, jumps []time.Duration) {
	w.t.Helper()
	for h := 0; h <= max; h++ {
		if h == jumpAt {
			w.setJump(w.jump + jump)
		}
		rep, err := w.r.Sweep(context.Background())
		if err != nil {
			w.t.Fatalf("sweep at real hour %d (clock jumped %v): %v", h, w.jump, err)
		}
		if rep.ClockJump != 0 {
			jumps = append(jumps, rep.ClockJump)
		}
		if w.dep.count(act) > 0 {
			return h, jumps
		}
		time.Sleep(time.Hour)
	}
	w.t.Fatalf("no %v in %d real hours", act, max)
	return 0, nil
}

// TestClockJumpForwardShortensNoWait is issue 28's replica: its clock jumps
// 48h ahead during the grace, and again during the quarantine. Before, the
// 24h grace was met after 3 real hours and the 72h quarantine after 24.
func TestClockJumpForwardShortensNoWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newJumpWorld(t)
		h, jumps := w.sweepsUntil(Quarantine, 3, 48*time.Hour, 100)
		if h != 24 {
			t.Fatalf("quarantined after %d real hours, want 24 (the grace)", h)
		}
		if !slices.Equal(jumps, []time.Duration{48 * time.Hour}) {
			t.Fatalf("reported jumps %v, want [48h]", jumps)
		}
		if recs := w.sink.Records("clock"); len(recs) != 1 || recs[0].Level != slog.LevelWarn {
			t.Fatalf("clock records %+v, want one warning", recs)
		}
		time.Sleep(time.Hour)
		h, jumps = w.sweepsUntil(Delete, 24, 48*time.Hour, 200)
		if h != 71 { // quarantined at the sweep before the first of these
			t.Fatalf("deleted %d real hours after the quarantine sweep's successor, want 71 (72h window)", h)
		}
		if !slices.Equal(jumps, []time.Duration{48 * time.Hour}) {
			t.Fatalf("reported jumps %v, want [48h]", jumps)
		}
	})
}

// TestClockJumpBackwardStretchesNoWait: a clock stepped 48h back leaves
// every stamp 48h in the future. Before, every sweep was refused
// (ErrClockSkew) until the clock caught up; now the stamps move with it.
func TestClockJumpBackwardStretchesNoWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newJumpWorld(t)
		h, jumps := w.sweepsUntil(Quarantine, 3, -48*time.Hour, 100)
		if h != 24 {
			t.Fatalf("quarantined after %d real hours, want 24 (the grace)", h)
		}
		if !slices.Equal(jumps, []time.Duration{-48 * time.Hour}) {
			t.Fatalf("reported jumps %v, want [-48h]", jumps)
		}
	})
}

// TestClockJumpMidSweep: a jump between a sweep's start and its action's
// outcome stamps the quarantine on the sweep's clock, not the jumped one,
// and the next sweep moves every stamp alike.
func TestClockJumpMidSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newJumpWorld(t)
		w.dep.onCall = func(act Action, _ Resource) {
			if act == Quarantine {
				w.setJump(48 * time.Hour)
			}
		}
		h, _ := w.sweepsUntil(Quarantine, -1, 0, 100)
		if h != 24 {
			t.Fatalf("quarantined after %d real hours, want 24", h)
		}
		w.dep.onCall = nil
		time.Sleep(time.Hour)
		h, jumps := w.sweepsUntil(Delete, -1, 0, 200)
		if h != 71 {
			t.Fatalf("deleted %d real hours later, want 71", h)
		}
		if !slices.Equal(jumps, []time.Duration{48 * time.Hour}) {
			t.Fatalf("reported jumps %v, want [48h]", jumps)
		}
	})
}

// TestSimulatedClockIsBelieved: a clock without a monotonic reading (a
// simulation that moves its own time, as the examples do) is not checked.
func TestSimulatedClockIsBelieved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		at := t0
		inv := &fleet{res: []Resource{res("o")}}
		for i := 0; i < 100; i++ {
			inv.res = append(inv.res, res("l"+itoaT(i)))
		}
		dep := newDep()
		truth := map[string]bool{"o": true}
		r := mustNew(t, &simFleet{inv, &at}, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
			append(fast(nil), Act(Delete, 0), Clock(func() time.Time { return at }))...)
		for i := 0; i < 4; i++ {
			if rep, err := r.Sweep(context.Background()); err != nil || rep.ClockJump != 0 {
				t.Fatalf("sweep %d: %v, jump %v", i, err, rep.ClockJump)
			}
			at = at.Add(12 * time.Hour)
		}
		if dep.count(Quarantine) != 1 {
			t.Fatal("the simulated 36h did not count")
		}
	})
}

// simFleet and clockFleet list a fleet as of a clock of the test's.
type simFleet struct {
	*fleet
	at *time.Time
}

func (f *simFleet) List(ctx context.Context) (Listing, error) {
	l, err := f.fleet.List(ctx)
	l.AsOf = *f.at
	return l, err
}

type clockFleet struct {
	*fleet
	now func() time.Time
}

func (f *clockFleet) List(ctx context.Context) (Listing, error) {
	l, err := f.fleet.List(ctx)
	l.AsOf = f.now()
	return l, err
}

// TestClockJumpBeforeAcknowledge: a jump between a halt and its
// acknowledgement is applied by Acknowledge, which stores the ledger: the
// next sweep finds every stamp on the new footing and no wait shortened.
func TestClockJumpBeforeAcknowledge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newJumpWorld(t)
		if h, _ := w.sweepsUntil(Quarantine, -1, 0, 100); h != 24 {
			t.Fatalf("quarantined after %d real hours", h)
		}
		all := w.inv.res
		w.inv.res = all[:80] // shrunk by a fifth: halts
		time.Sleep(time.Hour)
		_, err := w.r.Sweep(context.Background())
		var be *BreakerError
		if !errors.As(err, &be) {
			t.Fatalf("shrunk inventory: %v, want a halt", err)
		}
		w.inv.res = all
		time.Sleep(time.Hour)
		w.setJump(48 * time.Hour)
		if err := w.r.Acknowledge(context.Background(), be.HaltID, "oncall"); err != nil {
			t.Fatal(err)
		}
		if recs := w.sink.Records("clock"); len(recs) != 1 {
			t.Fatalf("clock records %+v, want the jump reported by Acknowledge", recs)
		}
		time.Sleep(time.Hour)
		// 3 real hours since the quarantine; 69 to go.
		h, jumps := w.sweepsUntil(Delete, -1, 0, 200)
		if h != 69 || len(jumps) != 0 {
			t.Fatalf("deleted %d real hours later (want 69), jumps %v (want none: Acknowledge applied it)", h, jumps)
		}
	})
}
