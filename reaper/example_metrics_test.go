package reaper_test

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/deploysafe/deploysafe/reaper"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// The metrics of one shadow sweep, read from an SDK with a manual reader
// (an application installs its exporter's reader instead).
func ExampleMeterProvider() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t := now
	r, _ := reaper.New(fleet(&t), []reaper.Observer{truthful("hostdb"), truthful("projects")}, printer{},
		reaper.MemoryLedger(), reaper.Grace(1, 0), clock(&t), reaper.MeterProvider(mp))
	r.Sweep(context.Background())

	var rm metricdata.ResourceMetrics
	reader.Collect(context.Background(), &rm)
	var lines []string
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, p := range d.DataPoints {
				lines = append(lines, fmt.Sprintf("%s %s = %d", m.Name, attrs(p.Attributes.ToSlice()), p.Value))
			}
		case metricdata.Gauge[int64]:
			for _, p := range d.DataPoints {
				lines = append(lines, fmt.Sprintf("%s %s = %d", m.Name, attrs(p.Attributes.ToSlice()), p.Value))
			}
		case metricdata.Histogram[float64]:
			for _, p := range d.DataPoints {
				lines = append(lines, fmt.Sprintf("%s %s: %d sweep", m.Name, attrs(p.Attributes.ToSlice()), p.Count))
			}
		}
	}
	sort.Strings(lines)
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// deploysafe.reaper.actions action=quarantine,result=shadow = 1
	// deploysafe.reaper.halted  = 0
	// deploysafe.reaper.resources verdict=alive = 199
	// deploysafe.reaper.resources verdict=orphan = 1
	// deploysafe.reaper.resources verdict=unknown = 0
	// deploysafe.reaper.sweep.duration outcome=ok: 1 sweep
}

func attrs(kvs []attribute.KeyValue) string {
	var out []string
	for _, kv := range kvs {
		out = append(out, string(kv.Key)+"="+kv.Value.Emit())
	}
	return strings.Join(out, ",")
}
