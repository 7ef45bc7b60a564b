package snapshot_test

import (
	"context"
	"fmt"
	"log"
	"sort"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/deploysafe/deploysafe/snapshot"
)

// A restore's metrics, read back through an SDK meter provider with a
// manual reader (the application's provider in production).
func ExampleMeterProvider() {
	shop := openShop()
	defer shop.close()
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	sites := []snapshot.Partition{{Table: "products", Key: "acme"}, {Table: "products", Key: "globex"}}
	m, err := snapshot.Take(ctx, shop.src, shop.store, sites, snapshot.ID("metered"))
	if err != nil {
		log.Fatal(err)
	}
	shop.badDeploy("acme")
	if _, err := snapshot.Restore(ctx, shop.src, shop.store, m, sites[:1], snapshot.MeterProvider(mp)); err != nil {
		log.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		log.Fatal(err)
	}
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, x := range sm.Metrics {
			switch d := x.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s %s = %d", x.Name, p.Attributes.Encoded(attribute.DefaultEncoder()), p.Value))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s %s: %d recorded", x.Name, p.Attributes.Encoded(attribute.DefaultEncoder()), p.Count))
				}
			}
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// deploysafe.snapshot.bytes.read op=restore = 840
	// deploysafe.snapshot.chunks op=restore = 1
	// deploysafe.snapshot.duration op=restore: 1 recorded
	// deploysafe.snapshot.partitions op=restore,outcome=done = 1
}
