package snapshot

import (
	"context"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/deploysafe/deploysafe/internal/telemetry/telemetrytest"
)

// TestRestoreMetrics: a restore with one failed partition and one already
// journaled records exactly what it did.
func TestRestoreMetrics(t *testing.T) {
	src := newFakeSource(4, 100, 51)
	store := newMemStore()
	m := takeAll(t, src, store)
	damage(src, "t000", "t001", "t002")
	if _, err := Restore(context.Background(), src, store, m, selectKeys("t000")); err != nil {
		t.Fatal(err)
	}
	src.beforeCommit = func(p Partition) error {
		if p.Key == "t002" {
			return errInjected
		}
		return nil
	}
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	sel := selectKeys("t000", "t001", "t002")
	_, err := Restore(context.Background(), src, store, m, sel, ID("r-"+contentHash(m)[:8]), MeterProvider(mp))
	if err == nil {
		t.Fatal("want t002 to fail")
	}
	// A second journal: t000 is not skipped by this one, so run it again
	// under the default journal to see a skip.
	_, _ = Restore(context.Background(), src, store, m, selectKeys("t000"), MeterProvider(mp))
	got := telemetrytest.Points(t, reader)
	t001, _ := m.Partition(Partition{"orders", "t001"})
	t000, _ := m.Partition(Partition{"orders", "t000"})
	for key, want := range map[string]int64{
		"deploysafe.snapshot.partitions{op=restore,outcome=done}":    2, // t000 and t001 in the first
		"deploysafe.snapshot.partitions{op=restore,outcome=failed}":  1,
		"deploysafe.snapshot.partitions{op=restore,outcome=skipped}": 1,
		"deploysafe.snapshot.bytes.read{op=restore}":                 t000.Bytes + t001.Bytes,
		"deploysafe.snapshot.chunks{op=restore}":                     int64(len(t000.chunks) + len(t001.chunks)),
		"deploysafe.snapshot.duration.count{op=restore}":             2,
	} {
		if v := got[key]; v != float64(want) {
			t.Errorf("%s = %v, want %d (all: %v)", key, v, want, got)
		}
	}
}

// TestTakeMetrics: bytes and chunks of a take, new and not.
func TestTakeMetrics(t *testing.T) {
	src := newFakeSource(3, 300, 52)
	store := newMemStore()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	m := takeAll(t, src, store, MeterProvider(mp), ID("one"))
	again := takeAll(t, src, store, MeterProvider(mp), ID("two"))
	got := telemetrytest.Points(t, reader)
	if v := got["deploysafe.snapshot.bytes.new{op=take}"]; v != float64(m.NewBytes) || again.NewBytes != 0 {
		t.Errorf("bytes.new = %v, want %d", v, m.NewBytes)
	}
	if v := got["deploysafe.snapshot.bytes.read{op=take}"]; v != float64(2*m.Bytes) {
		t.Errorf("bytes.read = %v, want %d", v, 2*m.Bytes)
	}
	if a, b := got["deploysafe.snapshot.chunks{new=true,op=take}"], got["deploysafe.snapshot.chunks{new=false,op=take}"]; a != float64(m.Chunks) || b != float64(m.Chunks) {
		t.Errorf("chunks new %v, old %v; want %d each", a, b, m.Chunks)
	}
	if v := got["deploysafe.snapshot.partitions{op=take,outcome=done}"]; v != 6 {
		t.Errorf("partitions taken = %v, want 6", v)
	}
}

// BenchmarkTakeMetrics compares a Take recording into an SDK meter provider
// with the default no-op one (issue 17: under 3% overhead). Run the two
// side by side: go test -bench TakeMetrics -count 6.
func BenchmarkTakeMetrics(b *testing.B) {
	src := newFakeSource(20, 2000, 53)
	sel := src.partitions()
	sdk := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	for _, bc := range []struct {
		name string
		opts []TakeOption
	}{{"noop", nil}, {"sdk", []TakeOption{MeterProvider(sdk)}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Take(context.Background(), src, newMemStore(), sel, bc.opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestVerifyMetrics: a Verify counts every partition it checked as done.
func TestVerifyMetrics(t *testing.T) {
	src := newFakeSource(3, 100, 53)
	store := newMemStore()
	m := takeAll(t, src, store)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	if _, err := Verify(context.Background(), store, m, MeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	got := telemetrytest.Points(t, reader)
	n := float64(len(m.Partitions))
	if done, failed := got["deploysafe.snapshot.partitions{op=verify,outcome=done}"], got["deploysafe.snapshot.partitions{op=verify,outcome=failed}"]; done != n || failed != 0 {
		t.Errorf("partitions verified: done %v, failed %v; want %v and 0 (all: %v)", done, failed, n, got)
	}
}
