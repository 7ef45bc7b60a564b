package telemetry

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestMeterRecordsThroughTheGivenProvider(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	c, err := Meter(mp, "rollout").Int64Counter("deploysafe.test.count")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(context.Background(), 3)
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if len(rm.ScopeMetrics) != 1 || rm.ScopeMetrics[0].Scope.Name != Scope+"/rollout" {
		t.Fatalf("scopes = %+v, want one named %s/rollout", rm.ScopeMetrics, Scope)
	}
	sum := rm.ScopeMetrics[0].Metrics[0].Data.(metricdata.Sum[int64])
	if got := sum.DataPoints[0].Value; got != 3 {
		t.Errorf("recorded %d, want 3", got)
	}
}

func TestNilProviderIsTheGlobalNoop(t *testing.T) {
	c, err := Meter(nil, "reaper").Int64Counter("deploysafe.test.count")
	if err != nil || c == nil {
		t.Fatalf("instrument from the global provider: %v, %v", c, err)
	}
	c.Add(context.Background(), 1) // must not panic
}

func TestErrorsReportOnce(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, nil))
	var e Errors
	e.Add(nil)
	e.Report(l, "snapshot")
	if buf.Len() != 0 {
		t.Fatalf("logged %q with no errors", buf.String())
	}
	e.Add(errors.New("bad name"))
	if e.Err() == nil {
		t.Fatal("Err() = nil after Add")
	}
	e.Report(l, "snapshot")
	e.Report(l, "snapshot")
	if n := strings.Count(buf.String(), "bad name"); n != 1 {
		t.Errorf("error logged %d times, want once: %s", n, buf.String())
	}
	if !strings.Contains(buf.String(), "level=WARN") {
		t.Errorf("not logged at Warn: %s", buf.String())
	}
}
