package reaper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/internal/telemetry/telemetrytest"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

func TestMetricsOfASweepWithABreakerTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		truth := map[string]bool{}
		inv := &fleet{}
		for i := 0; i < 1000; i++ {
			id := "r" + itoaT(i)
			inv.res = append(inv.res, res(id, "region", "r1"))
			truth[id] = i < 11 // 11 orphans: one more than MaxActions and MaxFraction allow
		}
		dep := newDep()
		r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
			append(fast(nil), MeterProvider(mp), Act(Quarantine, 0), Grace(1, 0), Strata("region"))...)
		ctx := context.Background()
		_, err := r.Sweep(ctx)
		var be *BreakerError
		if !errors.As(err, &be) {
			t.Fatalf("err = %v, want a trip", err)
		}
		got := telemetrytest.Points(t, reader)
		for k, want := range map[string]float64{
			"deploysafe.reaper.breaker.trips{limit=actions}":            1,
			"deploysafe.reaper.breaker.trips{limit=inventory-fraction}": 1,
			"deploysafe.reaper.halted{}":                                1,
			"deploysafe.reaper.resources{verdict=alive}":                989,
			"deploysafe.reaper.resources{verdict=orphan}":               11,
			"deploysafe.reaper.resources{verdict=unknown}":              0,
			"deploysafe.reaper.sweep.duration.count{outcome=tripped}":   1,
		} {
			if got[k] != want {
				t.Errorf("%s = %v, want %v (all: %v)", k, got[k], want, got)
			}
		}
		if _, ok := got["deploysafe.reaper.actions{action=quarantine,result=ok}"]; ok {
			t.Error("an action counted on a halted sweep")
		}
		if err := r.Acknowledge(ctx, be.HaltID, "oncall"); err != nil {
			t.Fatal(err)
		}
		if got := telemetrytest.Points(t, reader); got["deploysafe.reaper.halted{}"] != 0 {
			t.Errorf("halted = %v after Acknowledge", got["deploysafe.reaper.halted{}"])
		}
		dep.fail = func(_ Action, id string) error {
			if id == "r3" {
				return errors.New("api down")
			}
			return nil
		}
		time.Sleep(time.Minute)
		if _, err := r.Sweep(ctx); err == nil {
			t.Fatal("the failing quarantine was not reported")
		}
		got = telemetrytest.Points(t, reader)
		for k, want := range map[string]float64{
			"deploysafe.reaper.actions{action=quarantine,result=ok}":     10,
			"deploysafe.reaper.actions{action=quarantine,result=failed}": 1,
			"deploysafe.reaper.sweep.duration.count{outcome=error}":      1,
			"deploysafe.reaper.halted{}":                                 0,
		} {
			if got[k] != want {
				t.Errorf("%s = %v, want %v", k, got[k], want)
			}
		}
		for k := range got {
			if strings.Contains(k, "r3") || strings.Contains(k, "resource=") {
				t.Errorf("resource ID in an attribute: %s", k)
			}
		}
	})
}

// A halt over many strata is one short line; the detail is in the error.
func TestHaltIsOneSummarisedLine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inv := &fleet{}
		for i := 0; i < 2000; i++ {
			inv.res = append(inv.res, res("r"+itoaT(i), "region", "reg"+itoaT(i%40)))
		}
		all := obs{name: "broken", source: "broken", fn: func(context.Context, Resource) (Vote, error) {
			return Vote{Orphan, "format changed"}, nil
		}}
		sink := &memSink{}
		r := mustNew(t, inv, []Observer{all, truthObs("b", nil)}, newDep(), newMemLedger(),
			append(fast(sink), Quorum(1, 1), Strata("region"))...)
		_, err := r.Sweep(context.Background())
		var be *BreakerError
		if !errors.As(err, &be) || len(be.Trips) < 40 {
			t.Fatalf("err = %v, want a trip naming every region", err)
		}
		br := sink.Records(KindBreaker)
		if len(br) != 1 || br[0].Level != slog.LevelError || strings.Contains(br[0].Msg, "\n") || len(br[0].Msg) > 200 {
			t.Fatalf("halt record %q (%d bytes)", br[0].Msg, len(br[0].Msg))
		}
		if msg := be.Error(); strings.Contains(msg, "\n") || len(msg) > 300 || !strings.Contains(msg, "more)") {
			t.Fatalf("halt error %q (%d bytes)", msg, len(msg))
		}
	})
}

func TestBrokenMeterProviderNeverFailsASweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logged strings.Builder
		log := slog.New(slog.NewTextHandler(&logged, nil))
		inv := &fleet{res: []Resource{res("a")}}
		r := mustNew(t, inv, []Observer{truthObs("x", nil)}, newDep(), newMemLedger(), Quorum(1, 1), Logger(log),
			MeterProvider(badProvider{sdkmetric.NewMeterProvider()}))
		sweepOK(t, r)
		if n := strings.Count(logged.String(), "some metrics are not recorded"); n != 1 {
			t.Fatalf("instrument errors reported %d times:\n%s", n, logged.String())
		}
	})
}

// fakeLease is a Lease made of functions; a nil function succeeds.
type fakeLease struct {
	acquire func() error
}

func (l fakeLease) Acquire(context.Context) error {
	if l.acquire == nil {
		return nil
	}
	return l.acquire()
}
func (fakeLease) Check(context.Context) error   { return nil }
func (fakeLease) Release(context.Context) error { return nil }

// A sweep refused by the lease is outcome=not_leader, never error: an alert
// on errors must not fire on every replica that does not hold the lease.
// A lease that cannot be asked (its server is down) is still an error.
func TestMetricsOfASweepRefusedByTheLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reader := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		var acquireErr error
		lease := fakeLease{acquire: func() error { return acquireErr }}
		r := mustNew(t, oneOrphanFleet(), []Observer{truthObs("a", nil)}, newDep(), newMemLedger(),
			append(fast(nil), MeterProvider(mp), Quorum(1, 1), Elect(lease))...)
		ctx := context.Background()
		acquireErr = fmt.Errorf("test lease: held by replica-2: %w", ErrLeaseHeld)
		for range 3 {
			if rep, err := r.Sweep(ctx); !errors.Is(err, ErrLeaseHeld) || rep != nil {
				t.Fatalf("Sweep = %v, %v; want no report and ErrLeaseHeld", rep, err)
			}
		}
		acquireErr = errors.New("test lease: connection refused")
		if _, err := r.Sweep(ctx); err == nil || errors.Is(err, ErrLeaseHeld) {
			t.Fatalf("Sweep = %v, want the lease's own error", err)
		}
		acquireErr = nil
		sweepOK(t, r)
		got := telemetrytest.Points(t, reader)
		for k, want := range map[string]float64{
			"deploysafe.reaper.sweep.duration.count{outcome=not_leader}": 3,
			"deploysafe.reaper.sweep.duration.count{outcome=error}":      1,
			"deploysafe.reaper.sweep.duration.count{outcome=ok}":         1,
		} {
			if got[k] != want {
				t.Errorf("%s = %v, want %v (all: %v)", k, got[k], want, got)
			}
		}
	})
}
