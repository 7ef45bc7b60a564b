package rollout_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/internal/telemetry/telemetrytest"
	"github.com/deploysafe/deploysafe/rollout"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// judgement is a canary verdict that carries its measured values.
type judgement struct{ canary, baseline float64 }

func (j judgement) Error() string { return "canary: error rate above baseline" }
func (j judgement) LogValue() slog.Value {
	return slog.GroupValue(slog.Float64("canary_error_rate", j.canary), slog.Float64("baseline_error_rate", j.baseline))
}

// A scripted rollout: wave 1 passes, wave 2's gate fails with measured
// values, the rollout rolls back both targets. The manual reader sees every
// deploy, rollback, gate run, the outcome and the abort's cause; the log and
// the event carry the measured values.
func TestMetricsOfARolloutWithAFailingGateAndARollback(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	f := newFleet("v1", "a", "b")
	var waveGauge float64 // the wave gauge while wave 2's gate runs
	gate := rollout.Gate{Name: "canary", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
		if in.Phase == "deploy" && in.Wave == 2 {
			waveGauge = telemetrytest.Points(t, reader)["deploysafe.rollout.wave{}"]
			return judgement{canary: 0.09, baseline: 0.01}
		}
		return nil
	}}
	p, _ := rollout.NewPlan("v2", []string{"a", "b"}, rollout.Gates(gate), rollout.NoRehearsal())
	var logs bytes.Buffer
	var measured []slog.Value
	ex, _ := rollout.New(f, rollout.MeterProvider(mp), rollout.Logger(slog.New(slog.NewTextHandler(&logs, nil))),
		rollout.OnEvent(func(e rollout.Event) {
			if e.Kind == "gate" && e.Err != nil {
				measured = append(measured, e.Measured)
			}
		}))
	_, err := ex.Run(context.Background(), p, p.Fingerprint())
	if !errors.Is(err, rollout.ErrRolledBack) {
		t.Fatal(err)
	}
	got := telemetrytest.Points(t, reader)
	want := map[string]float64{
		"deploysafe.rollout.deploys{outcome=deployed}":                                 2,
		"deploysafe.rollout.rollbacks{outcome=rolled_back}":                            2,
		"deploysafe.rollout.gate.runs{gate=canary,phase=deploy,result=pass}":           1,
		"deploysafe.rollout.gate.runs{gate=canary,phase=deploy,result=fail}":           1,
		"deploysafe.rollout.gate.runs{gate=canary,phase=verify,result=pass}":           1,
		"deploysafe.rollout.gate.duration.count{gate=canary,phase=deploy,result=fail}": 1,
		"deploysafe.rollout.rollouts{outcome=rolled_back}":                             1,
		"deploysafe.rollout.aborts{cause=gate}":                                        1,
		"deploysafe.rollout.wave{}":                                                    0,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if waveGauge != 2 {
		t.Errorf("wave gauge during the second wave = %v, want 2", waveGauge)
	}
	if _, ok := got["deploysafe.rollout.deploys{outcome=failed}"]; ok {
		t.Errorf("a failed deploy recorded: %v", got)
	}
	if len(measured) != 1 || !strings.Contains(measured[0].String(), "canary_error_rate=0.09") {
		t.Errorf("event measured values: %v", measured)
	}
	if !strings.Contains(logs.String(), "measured.canary_error_rate=0.09") || !strings.Contains(logs.String(), "level=ERROR msg=\"rollout done\"") {
		t.Errorf("log lacks the measured values or the failed outcome at Error:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "level=INFO msg=\"rollout deploy\"") {
		t.Errorf("per-target detail above Debug:\n%s", logs.String())
	}
}

// An unconfirmed deploy and an off-plan change are counted by cause.
func TestMetricsCountUnconfirmedDeploysAndOffPlanAborts(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	f := newFleet("v1", "a", "b", "x")
	f.redirect["b"] = "x"
	p, _ := rollout.NewPlan("v2", []string{"a", "b"}, rollout.Gates(pass("g")), rollout.NoRehearsal(), rollout.Settle(time.Nanosecond))
	ex, _ := rollout.New(&censusFleet{fleet: f}, rollout.MeterProvider(mp))
	if _, err := ex.Run(context.Background(), p, p.Fingerprint()); err == nil {
		t.Fatal("success")
	}
	got := telemetrytest.Points(t, reader)
	if got["deploysafe.rollout.deploys{outcome=unconfirmed}"] != 1 || got["deploysafe.rollout.aborts{cause=unconfirmed}"] != 1 {
		t.Errorf("metrics %v", got)
	}
}

// A nil provider is the global one; nothing fails.
func TestNilMeterProvider(t *testing.T) {
	f := newFleet("v1", "a")
	p, _ := rollout.NewPlan("v2", []string{"a"}, rollout.Gates(pass("g")))
	ex, err := rollout.New(f, rollout.MeterProvider(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Run(context.Background(), p, p.Fingerprint()); err != nil {
		t.Fatal(err)
	}
}

func ExampleMeterProvider() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	fleet := newSites("v1", siteNames(3)...)
	plan, _ := rollout.NewPlan("v2", siteNames(3), rollout.NoRehearsal(),
		rollout.Gates(rollout.Gate{Name: "health", Deadline: time.Second, Check: errorRate}))
	ex, _ := rollout.New(fleet, rollout.MeterProvider(mp))
	_, _ = ex.Run(context.Background(), plan, plan.Fingerprint())

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
			for _, p := range sum.DataPoints {
				v, _ := p.Attributes.Value("outcome")
				if v.Emit() != "" {
					fmt.Printf("%s{outcome=%s} %d\n", m.Name, v.Emit(), p.Value)
				}
			}
		}
	}
	// Output:
	// deploysafe.rollout.deploys{outcome=deployed} 3
	// deploysafe.rollout.rollouts{outcome=succeeded} 1
}

func ExampleFromFuncs() {
	running := map[string]string{"db1": "v1", "db2": "v1"}
	d, _ := rollout.FromFuncs(
		func(_ context.Context, target, version string) error { running[target] = version; return nil },
		func(_ context.Context, target string) error { running[target] = "v1"; return nil },
		func(_ context.Context, target string) (string, error) { return running[target], nil },
	)
	plan, _ := rollout.NewPlan("v2", []string{"db1", "db2"}, rollout.NoRehearsal(),
		rollout.Gates(rollout.Gate{Name: "replication-lag", Deadline: time.Second, Check: errorRate}))
	ex, _ := rollout.New(d, rollout.Concurrency(1))
	report, err := ex.Run(context.Background(), plan, plan.Fingerprint())
	fmt.Println(report.Outcome, err, running)
	// Output:
	// succeeded <nil> map[db1:v2 db2:v2]
}

func TestFromFuncsRefusesNil(t *testing.T) {
	if _, err := rollout.FromFuncs(nil, nil, nil); !errors.Is(err, rollout.ErrInvalidPlan) {
		t.Fatalf("FromFuncs(nil...): %v", err)
	}
}

// BenchmarkRunMetrics runs the same 1,000-target rollout with an SDK meter
// provider and with the no-op default, alternating.
func BenchmarkRunMetrics(b *testing.B) {
	targets := make([]string, 1000)
	for i := range targets {
		targets[i] = fmt.Sprintf("site%04d", i)
	}
	p, err := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")))
	if err != nil {
		b.Fatal(err)
	}
	sdk := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	for _, name := range []string{"noop", "sdk", "noop", "sdk"} {
		b.Run(name, func(b *testing.B) {
			opt := rollout.MeterProvider(nil)
			if name == "sdk" {
				opt = rollout.MeterProvider(sdk)
			}
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ex, _ := rollout.New(newInstant(targets), opt, rollout.Concurrency(1))
				b.StartTimer()
				if _, err := ex.Run(context.Background(), p, p.Fingerprint()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
