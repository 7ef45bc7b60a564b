package reaper

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/internal/heappeak"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// benchFleet is n resources over 4 regions × 2 generations × 2 kinds, with
// one orphan per 10,000 (within the breaker's limits). Attribute maps are
// shared per combination, as an inventory client that interns them would.
func benchFleet(n int) ([]Resource, map[string]bool) {
	var attrs []map[string]string
	for _, reg := range []string{"us-east-1", "eu-ams-1", "us-west-2", "eu-west-1"} {
		for _, gen := range []string{"previous", "current"} {
			for _, kind := range []string{"servo", "volume"} {
				attrs = append(attrs, map[string]string{"region": reg, "generation": gen, "kind": kind})
			}
		}
	}
	rs := make([]Resource, n)
	orph := map[string]bool{}
	for i := range rs {
		rs[i] = Resource{ID: fmt.Sprintf("r-%07d", i), Attrs: attrs[i%len(attrs)]}
		if i%10000 == 5 {
			orph[rs[i].ID] = true
		}
	}
	return rs, orph
}

type staticInv struct{ rs []Resource }

func (s staticInv) List(context.Context) (Listing, error) {
	return Listing{Resources: s.rs, AsOf: time.Now()}, nil
}

// benchSweep measures one shadow sweep over n resources with 3 in-memory
// observers, and reports ns/resource and the peak heap (runtime/metrics).
func benchSweep(b *testing.B, n int, opts ...Option) {
	rs, orph := benchFleet(n)
	o := []Observer{truthObs("hostdb", orph), truthObs("projects", orph), truthObs("billing", orph)}
	base := []Option{Logger(slog.New(&infoSink{})), Strata("region", "generation", "kind"),
		limits(func(l *Limits) { l.Concurrency = runtime.GOMAXPROCS(0) })}
	r := mustNew(b, staticInv{rs}, o, newDep(), newMemLedger(), append(base, opts...)...)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := heappeak.Start()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := r.Sweep(context.Background())
		if err != nil || rep.Orphan != len(orph) {
			b.Fatalf("sweep: %v %+v", err, rep)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/resource")
	b.ReportMetric(float64(peak.Stop())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(before.HeapAlloc)/(1<<20), "fleet-heap-MB")
}

// BenchmarkSweep1M is the figure in BENCHMARKS.md: 1,000,000 resources, 3
// observers. Run with -benchtime=3x.
func BenchmarkSweep1M(b *testing.B) { benchSweep(b, 1_000_000) }

// BenchmarkSweep100k is the same at a tenth of the size (scaling check).
func BenchmarkSweep100k(b *testing.B) { benchSweep(b, 100_000) }

// BenchmarkBaselineObserveLoop is the baseline: the bare cost of calling
// the 3 observers on every resource in a plain loop (no reaper), per
// resource, so the reaper's overhead is the difference.
func BenchmarkBaselineObserveLoop(b *testing.B) {
	rs, orph := benchFleet(1_000_000)
	o := []Observer{truthObs("hostdb", orph), truthObs("projects", orph), truthObs("billing", orph)}
	votes := make([]Vote, len(rs)*3)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k, r := range rs {
			for j, ob := range o {
				votes[k*3+j], _ = ob.Observe(ctx, r)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rs)), "ns/resource")
}

// BenchmarkSweepMeter compares a 100k-resource sweep with an SDK meter
// provider (manual reader) against the no-op default, alternating rounds
// in one run so that a shared machine's noise hits both alike.
func BenchmarkSweepMeter(b *testing.B) {
	for round := 0; round < 3; round++ {
		for _, kind := range []string{"noop", "sdk"} {
			b.Run(fmt.Sprintf("%s/round=%d", kind, round), func(b *testing.B) {
				mp := metric.MeterProvider(noop.NewMeterProvider())
				if kind == "sdk" {
					mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
				}
				benchSweep(b, 100_000, MeterProvider(mp))
			})
		}
	}
}
