// Package telemetrytest reads what a manual OpenTelemetry reader collected,
// for the metrics tests of every package: one key format, one place.
package telemetrytest

import (
	"context"
	"sort"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// Points collects reader and returns every data point by
// "name{k=v,...}" (attributes sorted by key): the value of a sum or gauge,
// and, under "name.count{...}", the number of a histogram's measurements.
func Points(tb testing.TB, reader *sdkmetric.ManualReader) map[string]float64 {
	tb.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		tb.Fatal(err)
	}
	out := map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out[Key(m.Name, p.Attributes)] = float64(p.Value)
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					out[Key(m.Name, p.Attributes)] = float64(p.Value)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out[Key(m.Name+".count", p.Attributes)] = float64(p.Count)
				}
			default:
				tb.Fatalf("telemetrytest: metric %s has data of type %T, which Points does not read", m.Name, m.Data)
			}
		}
	}
	return out
}

// Key is the key Points gives a data point of instrument name with set.
func Key(name string, set attribute.Set) string {
	kv := make([]string, 0, set.Len())
	for _, a := range set.ToSlice() {
		kv = append(kv, string(a.Key)+"="+a.Value.Emit())
	}
	sort.Strings(kv)
	return name + "{" + strings.Join(kv, ",") + "}"
}
