package reaper

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/internal/telemetry/telemetrytest"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// Tests that pin behaviour mutation testing found unpinned.

func TestShadowAuditFailureStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{"o": true}
		inv := oneOrphanFleet()
		sink := &memSink{fail: func(r record) error {
			if r.Kind == KindAction && r.Shadow {
				return errors.New("disk full")
			}
			return nil
		}}
		r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, newDep(), newMemLedger(),
			append(fast(sink), Grace(1, 0))...)
		if _, err := r.Sweep(context.Background()); !errors.Is(err, ErrAudit) {
			t.Fatalf("err = %v, want ErrAudit from the shadow record", err)
		}
	})
}

// Keys: the first action's is quarantine/<id>/1; a retry reuses it; the
// next action gets a new one.
func TestIdempotencyKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, dep, _, _ := lifecycle(t, 200, "o")
		r.cfg.graceSweeps, r.cfg.gracePeriod, r.cfg.quarantineWindow = 1, 0, 0
		failed := false
		dep.fail = func(act Action, _ string) error {
			if act == Quarantine && !failed {
				failed = true
				return errors.New("timeout")
			}
			return nil
		}
		r.Sweep(context.Background())
		time.Sleep(2 * time.Hour) // past the backoff
		sweepOK(t, r)
		time.Sleep(time.Hour)
		sweepOK(t, r)
		var keys []string
		for _, c := range dep.calls {
			keys = append(keys, c.Act.String()+"="+c.Key)
		}
		want := "quarantine=quarantine/o/1 quarantine=quarantine/o/1 delete=delete/o/2"
		if got := strings.Join(keys, " "); got != want {
			t.Fatalf("keys %s, want %s", got, want)
		}
	})
}

// storeFails fails every Store after the first n.
type storeFails struct {
	Ledger
	n int
}

func (s *storeFails) Store(ctx context.Context, b []byte) error {
	if s.n <= 0 {
		return errors.New("disk gone")
	}
	s.n--
	return s.Ledger.Store(ctx, b)
}

func TestHaltThatCannotBeStoredSaysSo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, inv, _, sink, _ := lifecycle(t, 100)
		led := &storeFails{Ledger: r.ledger, n: 1}
		r.ledger = led
		sweepOK(t, r)
		inv.stale = 2 * time.Hour // inventory-stale: a single trip
		_, err := r.Sweep(context.Background())
		if !errors.Is(err, ErrBlastRadius) || !errors.Is(err, ErrLedger) {
			t.Fatalf("err = %v, want the trip and the ledger failure", err)
		}
		br := sink.Records(KindBreaker)
		if len(br) != 1 || !strings.Contains(br[0].Msg, "nothing acted on: inventory-stale 7200;") {
			t.Fatalf("single-trip halt message: %+v", br)
		}
	})
}

func TestRestoreRefusesAParkedDelete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, dep, _, _ := lifecycle(t, 200, "o")
		r.cfg.graceSweeps, r.cfg.gracePeriod, r.cfg.quarantineWindow = 1, 0, 0
		r.cfg.limits.MaxAttempts = 1
		dep.fail = func(act Action, _ string) error {
			if act == Delete {
				return errors.New("api: 500")
			}
			return nil
		}
		sweepOK(t, r) // quarantine
		time.Sleep(time.Hour)
		if _, err := r.Sweep(context.Background()); err == nil {
			t.Fatal("the failing delete was not reported")
		}
		if st, _ := r.Status(context.Background()); len(st.Parked) != 1 {
			t.Fatalf("not parked: %+v", st)
		}
		if err := r.Restore(context.Background(), "o"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("restore of a parked delete (it may have happened): %v", err)
		}
	})
}

func TestManualRestoreRetriesWithTheSameKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, dep, _, _ := lifecycle(t, 200, "o")
		r.cfg.graceSweeps, r.cfg.gracePeriod = 1, 0
		sweepOK(t, r) // quarantine/o/1
		fails := 1
		dep.fail = func(act Action, _ string) error {
			if act == Restore && fails > 0 {
				fails--
				return errors.New("timeout")
			}
			return nil
		}
		ctx := context.Background()
		if err := r.Restore(ctx, "o"); err == nil {
			t.Fatal("failed restore reported success")
		}
		if err := r.Restore(ctx, "o"); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, c := range dep.calls {
			keys = append(keys, c.Key)
		}
		if got := strings.Join(keys, " "); got != "quarantine/o/1 restore/o/2 restore/o/2" {
			t.Fatalf("keys %s", got)
		}
		if err := r.Restore(ctx, "o"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("restore of a restored resource: %v", err)
		}
	})
}

func TestManualRestoreThatCannotBeStoredSaysSo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, _, _, _ := lifecycle(t, 200, "o")
		r.cfg.graceSweeps, r.cfg.gracePeriod = 1, 0
		sweepOK(t, r)
		// sweep stores: the plan, the intent, the outcome; Restore: the intent, then fail.
		r.ledger = &storeFails{Ledger: r.ledger, n: 1}
		if err := r.Restore(context.Background(), "o"); !errors.Is(err, ErrLedger) {
			t.Fatalf("err = %v, want ErrLedger", err)
		}
	})
}

func TestCallCtxCancelledByItsParent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		cc := newCallCtx(parent, time.Hour)
		defer cc.close()
		cc.arm()
		cancel()
		<-cc.Done()
		if !errors.Is(cc.Err(), context.Canceled) {
			t.Fatalf("err = %v, want the parent's cancellation", cc.Err())
		}
	})
}

func TestTripAndBreakerErrorText(t *testing.T) {
	for _, tc := range []struct {
		trip Trip
		want string
	}{
		{Trip{Limit: "actions", Count: 11, Allowed: 10}, "actions: 11 (allowed 10)"},
		{Trip{Limit: "actions", Count: 11, Allowed: 10, Detail: "planned"}, "actions: 11 (allowed 10): planned"},
		{Trip{Limit: "stratum-fraction", Stratum: "gen=old", Count: 6, Allowed: 5, Total: 50}, "stratum-fraction [gen=old]: 6 of 50 (allowed 5)"},
		{Trip{Limit: "observer-stratum-fraction", Stratum: "gen=old", Observer: "hostdb", Count: 50, Allowed: 5, Total: 50},
			"observer-stratum-fraction [gen=old] observer hostdb: 50 of 50 (allowed 5)"},
	} {
		if got := tc.trip.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	a, b, c := Trip{Limit: "actions", Count: 11, Allowed: 10}, Trip{Limit: "inventory-empty"}, Trip{Limit: "inventory-stale", Count: 7200, Allowed: 3600}
	for trips, want := range map[*[]Trip]string{
		{}:        "reaper: blast-radius breaker tripped (halt h, sweep 3); nothing was acted on: no trips",
		{a}:       "reaper: blast-radius breaker tripped (halt h, sweep 3); nothing was acted on: actions: 11 (allowed 10)",
		{a, b}:    "reaper: blast-radius breaker tripped (halt h, sweep 3); nothing was acted on: actions: 11 (allowed 10) (and 1 more)",
		{a, b, c}: "reaper: blast-radius breaker tripped (halt h, sweep 3); nothing was acted on: actions: 11 (allowed 10) (and 2 more)",
	} {
		if got := (&BreakerError{HaltID: "h", Sweep: 3, Trips: *trips}).Error(); got != want {
			t.Errorf("Error() = %q, want %q", got, want)
		}
	}
}

func TestDefaultLimitsAreTheDocumentedOnes(t *testing.T) {
	l := DefaultLimits()
	if l.MaxActions != 10 || l.MaxFraction != 0.01 || l.MaxStratumFraction != 0.10 || l.MaxShrink != 0.10 || l.MaxAge != time.Hour ||
		l.Burst != 1 || l.Concurrency != 16 || l.ObserveTimeout != 10*time.Second ||
		l.MaxAttempts != 5 || l.Backoff != time.Hour || l.Retention != 720*time.Hour {
		t.Fatalf("DefaultLimits() = %+v", l)
	}
}

func TestFractionLimitsAcceptZeroAndOne(t *testing.T) {
	three := []Observer{truthObs("a", nil), truthObs("b", nil), truthObs("c", nil)}
	for _, f := range []float64{0, 1} {
		if _, err := New(&fleet{}, three, newDep(), newMemLedger(),
			limits(func(l *Limits) { l.MaxFraction, l.MaxStratumFraction, l.MaxShrink = f, f, f })); err != nil {
			t.Fatalf("fractions %v rejected: %v", f, err)
		}
	}
	if _, err := New(&fleet{}, three, newDep(), newMemLedger(), limits(func(l *Limits) { l.MaxShrink = 1.0000001 })); !errors.Is(err, ErrConfig) {
		t.Fatalf("a fraction above 1 accepted: %v", err)
	}
}

func TestVoteErrorsAreAttributedToTheirObserverAndResource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inv := &fleet{}
		for i := 0; i < 10; i++ {
			inv.res = append(inv.res, res("r"+itoaT(i)))
		}
		flaky := obs{name: "flaky", source: "f", fn: func(_ context.Context, r Resource) (Vote, error) {
			if r.ID == "r5" {
				return Vote{}, errors.New("503")
			}
			return Vote{Alive, "ok"}, nil
		}}
		sink := &memSink{}
		r := mustNew(t, inv, []Observer{truthObs("a", nil), flaky, truthObs("c", nil)}, newDep(), newMemLedger(), append(fast(sink), Quorum(1, 1))...)
		sweepOK(t, r)
		for _, rec := range sink.Records(KindVerdict) {
			for j, v := range rec.Votes {
				if want := rec.Resource == "r5" && j == 1; (v.Err != nil) != want {
					t.Errorf("%s vote %d (%s): err %v", rec.Resource, j, v.Observer, v.Err)
				}
			}
		}
	})
}

func TestVerdictAuditFailureStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inv := &fleet{res: []Resource{res("a"), res("b")}}
		sink := &memSink{fail: func(r record) error {
			if r.Kind == KindVerdict {
				return errors.New("disk full")
			}
			return nil
		}}
		r := mustNew(t, inv, []Observer{truthObs("x", nil)}, newDep(), newMemLedger(), append(fast(sink), Quorum(1, 1))...)
		if _, err := r.Sweep(context.Background()); !errors.Is(err, ErrAudit) {
			t.Fatalf("err = %v, want ErrAudit", err)
		}
	})
}

func TestSweepOutcomeOfAShadowSweepForLackOfPromotion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := sdkmetric.NewManualReader()
		inv := &fleet{res: []Resource{res("a"), res("b")}}
		r := mustNew(t, inv, []Observer{truthObs("x", nil)}, newDep(), newMemLedger(), append(fast(nil), Quorum(1, 1),
			Act(Delete, 3), MeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))...)
		if _, err := r.Sweep(context.Background()); !errors.Is(err, ErrNotPromoted) {
			t.Fatalf("err = %v", err)
		}
		got := telemetrytest.Points(t, reader)
		if got["deploysafe.reaper.sweep.duration.count{outcome=ok}"] != 1 || got["deploysafe.reaper.sweep.duration.count{outcome=error}"] != 0 {
			t.Fatalf("a refused promotion is not an error: %v", got)
		}
	})
}

func TestObserveConcurrencyIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inv := &fleet{}
		for i := 0; i < 1000; i++ {
			inv.res = append(inv.res, res("r"+itoaT(i)))
		}
		var mu sync.Mutex
		inflight, peak := 0, 0
		slow := obs{name: "slow", source: "s", fn: func(context.Context, Resource) (Vote, error) {
			mu.Lock()
			inflight++
			peak = max(peak, inflight)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inflight--
			mu.Unlock()
			return Vote{Alive, "ok"}, nil
		}}
		r := mustNew(t, inv, []Observer{slow}, newDep(), newMemLedger(), Quorum(1, 1), auditTo(nil),
			limits(func(l *Limits) { l.Concurrency = 3 }))
		sweepOK(t, r)
		if peak != 3 {
			t.Fatalf("peak concurrent Observe calls %d, want exactly the bound 3", peak)
		}
	})
}

func TestRecheckAuditShowsObserverErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{"o": true}
		inv := oneOrphanFleet()
		calls := 0
		late := obs{name: "late", source: "l", fn: func(_ context.Context, r Resource) (Vote, error) {
			if r.ID != "o" {
				return Vote{Alive, "ok"}, nil
			}
			if calls++; calls > 1 {
				return Vote{}, errors.New("503 on re-check")
			}
			return Vote{Orphan, "gone"}, nil
		}}
		sink := &memSink{}
		r := mustNew(t, inv, []Observer{truthObs("a", truth), late}, newDep(), newMemLedger(), append(fast(sink), Act(Delete, 0), Grace(1, 0))...)
		sweepOK(t, r)
		rc := sink.Records(KindRecheck)
		if len(rc) != 1 || rc[0].Votes[0].Err != nil || rc[0].Votes[1].Err == nil || rc[0].Verdict != Unknown {
			t.Fatalf("recheck record %+v", rc)
		}
	})
}

func TestLedgerAcceptsZeroCounts(t *testing.T) {
	s := newState()
	s.Shadow["region=new"] = 0
	s.Entries["a"] = &entry{Stage: stCandidate, Streak: 0}
	blob, err := encodeState(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeState(blob); err != nil {
		t.Fatalf("zero counts refused: %v", err)
	}
}

func TestSummaryAuditFailureIsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inv := &fleet{res: []Resource{res("a"), res("b")}}
		sink := &memSink{fail: func(r record) error {
			if r.Kind == KindSweep {
				return errors.New("disk full")
			}
			return nil
		}}
		r := mustNew(t, inv, []Observer{truthObs("x", nil)}, newDep(), newMemLedger(), append(fast(sink), Quorum(1, 1))...)
		if _, err := r.Sweep(context.Background()); !errors.Is(err, ErrAudit) {
			t.Fatalf("err = %v, want ErrAudit from the summary", err)
		}
	})
}
