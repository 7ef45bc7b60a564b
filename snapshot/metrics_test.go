package snapshot

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// sums returns every Int64 sum the reader collected, by instrument name and
// attribute set.
func sums(t testing.TB, r *sdkmetric.ManualReader) map[string]map[attribute.Distinct]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[attribute.Distinct]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				out[m.Name] = map[attribute.Distinct]int64{}
				for _, p := range d.DataPoints {
					out[m.Name][p.Attributes.Equivalent()] = p.Value
				}
			case metricdata.Histogram[float64]:
				out[m.Name] = map[attribute.Distinct]int64{}
				for _, p := range d.DataPoints {
					out[m.Name][p.Attributes.Equivalent()] = int64(p.Count)
				}
			}
		}
	}
	return out
}

func attrs(kv ...string) attribute.Distinct {
	var a []attribute.KeyValue
	for i := 0; i < len(kv); i += 2 {
		a = append(a, attribute.String(kv[i], kv[i+1]))
	}
	set := attribute.NewSet(a...)
	return set.Equivalent()
}

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
	_, err := Restore(context.Background(), src, store, m, sel, RestoreID("r-"+contentHash(m)[:8]), MeterProvider(mp))
	if err == nil {
		t.Fatal("want t002 to fail")
	}
	// A second journal: t000 is not skipped by this one, so run it again
	// under the default journal to see a skip.
	_, _ = Restore(context.Background(), src, store, m, selectKeys("t000"), MeterProvider(mp))
	got := sums(t, reader)
	t001, _ := m.Partition(Partition{"orders", "t001"})
	t000, _ := m.Partition(Partition{"orders", "t000"})
	for _, c := range []struct {
		name string
		set  attribute.Distinct
		want int64
	}{
		{"deploysafe.snapshot.partitions", attrs("op", "restore", "outcome", "done"), 2}, // t000 and t001 in the first
		{"deploysafe.snapshot.partitions", attrs("op", "restore", "outcome", "failed"), 1},
		{"deploysafe.snapshot.partitions", attrs("op", "restore", "outcome", "skipped"), 1},
		{"deploysafe.snapshot.bytes.read", attrs("op", "restore"), t000.Bytes + t001.Bytes},
		{"deploysafe.snapshot.chunks", attrs("op", "restore"), int64(len(t000.chunks) + len(t001.chunks))},
		{"deploysafe.snapshot.duration", attrs("op", "restore"), 2},
	} {
		if v := got[c.name][c.set]; v != c.want {
			t.Errorf("%s%v = %d, want %d (all: %v)", c.name, c.set, v, c.want, got[c.name])
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
	got := sums(t, reader)
	take := attrs("op", "take")
	if v := got["deploysafe.snapshot.bytes.new"][take]; v != m.NewBytes || again.NewBytes != 0 {
		t.Errorf("bytes.new = %d, want %d", v, m.NewBytes)
	}
	if v := got["deploysafe.snapshot.bytes.read"][take]; v != 2*m.Bytes {
		t.Errorf("bytes.read = %d, want %d", v, 2*m.Bytes)
	}
	setTrue := attribute.NewSet(attribute.String("op", "take"), attribute.Bool("new", true))
	setFalse := attribute.NewSet(attribute.String("op", "take"), attribute.Bool("new", false))
	newTrue, newFalse := setTrue.Equivalent(), setFalse.Equivalent()
	if a, b := got["deploysafe.snapshot.chunks"][newTrue], got["deploysafe.snapshot.chunks"][newFalse]; a != int64(m.Chunks) || b != int64(m.Chunks) {
		t.Errorf("chunks new %d, old %d; want %d each", a, b, m.Chunks)
	}
	if v := got["deploysafe.snapshot.partitions"][attrs("op", "take", "outcome", "done")]; v != 6 {
		t.Errorf("partitions taken = %d, want 6", v)
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
