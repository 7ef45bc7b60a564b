package reaper

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// timedLedger is a memory ledger that keeps time, as pgreaper's does: its
// clock reads at, minutes ahead of the replica's, so that a stamp taken on
// the wrong clock shows; with err set, it fails to tell the time.
type timedLedger struct {
	memoryLedger
	at  func() time.Time
	err error
}

func (l *timedLedger) Now(context.Context) (time.Time, error) {
	if l.err != nil {
		return time.Time{}, l.err
	}
	return l.at(), nil
}

// TestStatusHaltTime: the halt carries the time its sweep started, on the
// ledger's clock: in the sweep's error, in Status, and in the error of the
// sweeps it refuses.
func TestStatusHaltTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		led := &timedLedger{at: func() time.Time { return time.Now().Add(3 * time.Minute) }}
		base, inv, dep, _, _ := lifecycle(t, 100)
		r := mustNew(t, inv, base.obs, dep, led, append(fast(&memSink{}), Act(Delete, 0), Strata("region"))...)
		sweepOK(t, r)
		time.Sleep(10 * time.Minute)
		inv.res = nil
		began := led.at()
		_, err := r.Sweep(context.Background())
		var be *BreakerError
		if !errors.As(err, &be) || !be.At.Equal(began) {
			t.Fatalf("halting sweep: %v (at %v), want a halt at %v", err, be, began)
		}
		time.Sleep(time.Minute)
		st, err := r.Status(context.Background())
		if err != nil || st.Halt == nil || st.Halt.HaltID != be.HaltID || !st.Halt.At.Equal(began) {
			t.Fatalf("Status: %+v %v, want halt %s at %v", st.Halt, err, be.HaltID, began)
		}
		_, err = r.Sweep(context.Background())
		var again *BreakerError
		if !errors.Is(err, ErrHalted) || !errors.As(err, &again) || !again.At.Equal(began) {
			t.Fatalf("refused sweep: %v, want ErrHalted with the halt's time %v", err, began)
		}
	})
}

// TestStatusKeepsTheSweepsWindow: a quarantine's deadline in Status is
// measured with the QuarantineWindow of the sweep that last ran, as the
// ledger records it, not with whatever window the reader was built with;
// a ledger written before the window was recorded falls back to the
// reader's. A window of 0 is recorded as 0, not as "none".
func TestStatusKeepsTheSweepsWindow(t *testing.T) {
	for _, w := range []time.Duration{5 * time.Hour, 0} {
		synctest.Test(t, func(t *testing.T) {
			truth := map[string]bool{"o": true}
			led := newMemLedger()
			sweeper := mustNew(t, oneOrphanFleet(), []Observer{truthObs("a", truth), truthObs("b", truth)}, newDep(), led,
				append(fast(&memSink{}), Act(Quarantine, 0), Grace(1, 0), QuarantineWindow(w))...)
			began := time.Now()
			sweepOK(t, sweeper)
			reader := mustNew(t, oneOrphanFleet(), []Observer{truthObs("a", truth)}, newDep(), led, Quorum(1, 1), QuarantineWindow(time.Minute))
			st, err := reader.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.Last == nil || st.Last.QuarantineWindow == nil || *st.Last.QuarantineWindow != w {
				t.Fatalf("window %v: Last = %+v, want the sweep's window recorded", w, st.Last)
			}
			if e := st.Entries["o"]; !e.Deadline.Equal(began.Add(w)) {
				t.Fatalf("window %v: deadline %v, want %v", w, e.Deadline, began.Add(w))
			}
			// The ledger of an older build: no window recorded.
			s, err := decodeState(led.blob)
			if err != nil {
				t.Fatal(err)
			}
			s.Last.QuarantineWindow = nil
			if led.blob, err = encodeState(s); err != nil {
				t.Fatal(err)
			}
			st, err = reader.Status(context.Background())
			if err != nil || st.Last.QuarantineWindow != nil || !st.Entries["o"].Deadline.Equal(began.Add(time.Minute)) {
				t.Fatalf("old ledger: %+v %v, want the reader's window", st, err)
			}
		})
	}
}

// TestHaltSummaryNamesTheScope: the one-line summary of a halt (its audit
// message) names where the first trip applies: the stratum and the
// observer, the stratum alone, a count of a total, or a bare count.
func TestHaltSummaryNamesTheScope(t *testing.T) {
	for _, tc := range []struct {
		trip Trip
		want string
	}{
		{Trip{Limit: "observer-stratum-fraction", Stratum: "region=eu", Observer: "dns", Count: 3, Total: 9}, "observer-stratum-fraction [region=eu] observer dns: 3 of 9"},
		{Trip{Limit: "stratum-fraction", Stratum: "region=eu", Count: 3, Total: 9}, "stratum-fraction [region=eu]: 3 of 9"},
		{Trip{Limit: "observer-fraction", Observer: "dns", Count: 3, Total: 9}, "observer-fraction 3 of 9"},
		{Trip{Limit: "inventory-fraction", Count: 6, Total: 200}, "inventory-fraction 6 of 200"},
		{Trip{Limit: "actions", Count: 12}, "actions 12"},
	} {
		if got := summary([]Trip{tc.trip}); got != tc.want {
			t.Errorf("summary(%+v) = %q, want %q", tc.trip, got, tc.want)
		}
	}
	if got := summary([]Trip{{Limit: "actions", Count: 12}, {Limit: "inventory-fraction", Count: 6, Total: 200}}); got != "2 limits tripped, first actions 12" {
		t.Errorf("summary of two trips = %q", got)
	}
}

// TestClockStepWithinToleranceIsNoJump: a step of the replica's clock up
// to jumpTolerance either way (NTP, a slow VM) is no jump: nothing is
// reported or moved; one second more is, and the audit names its
// direction.
func TestClockStepWithinToleranceIsNoJump(t *testing.T) {
	for _, tc := range []struct {
		step time.Duration
		want time.Duration
		dir  string
	}{
		{time.Minute, 0, ""}, {jumpTolerance, 0, ""}, {-jumpTolerance, 0, ""},
		{jumpTolerance + time.Second, jumpTolerance + time.Second, "ahead"},
		{-jumpTolerance - time.Second, -jumpTolerance - time.Second, "back"},
	} {
		synctest.Test(t, func(t *testing.T) {
			w := newJumpWorld(t)
			if _, err := w.r.Sweep(context.Background()); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Hour)
			w.setJump(tc.step)
			rep, err := w.r.Sweep(context.Background())
			if err != nil || rep.ClockJump != tc.want {
				t.Fatalf("step %v: jump %v (%v), want %v", tc.step, rep.ClockJump, err, tc.want)
			}
			recs := w.sink.Records("clock")
			if tc.dir == "" && len(recs) != 0 || tc.dir != "" && (len(recs) != 1 || !strings.Contains(recs[0].Msg, " "+tc.dir+" since")) {
				t.Fatalf("step %v: clock records %+v, want one saying %q", tc.step, recs, tc.dir)
			}
		})
	}
}

// TestClockStepMidSweepWithinTolerance: a step of up to jumpTolerance
// between a sweep's start and its action's outcome is believed (the
// quarantine is stamped with the clock's reading); one beyond it is taken
// back out (stamped on the sweep's basis). The action takes minutes of
// real time, which are no jump.
func TestClockStepMidSweepWithinTolerance(t *testing.T) {
	for _, tc := range []struct {
		step    time.Duration
		believe bool
	}{{time.Minute, true}, {jumpTolerance, true}, {-jumpTolerance, true}, {jumpTolerance + time.Second, false}, {-jumpTolerance - time.Second, false}} {
		synctest.Test(t, func(t *testing.T) {
			w := newJumpWorld(t)
			var read time.Time
			w.dep.onCall = func(act Action, _ Resource) {
				if act == Quarantine {
					time.Sleep(3 * time.Minute) // a slow cloud API: the jump is what the clock did beyond the time that passed
					w.setJump(tc.step)
					read = w.r.cfg.now()
				}
			}
			w.sweepsUntil(Quarantine, -1, 0, 100)
			st, err := w.r.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := read
			if !tc.believe {
				want = read.Add(-tc.step)
			}
			if got := st.Entries["o"].QuarantinedAt; !got.Equal(want) {
				t.Fatalf("step %v: quarantined at %v, want %v (the clock read %v)", tc.step, got, want, read)
			}
		})
	}
}
