package reaper

import (
	"errors"

	"go.opentelemetry.io/otel/metric"
)

// badProvider's meters fail to create gauges, as a misconfigured SDK might.
type badProvider struct{ metric.MeterProvider }

func (p badProvider) Meter(name string, o ...metric.MeterOption) metric.Meter {
	return badMeter{p.MeterProvider.Meter(name, o...)}
}

type badMeter struct{ metric.Meter }

func (m badMeter) Int64Gauge(name string, o ...metric.Int64GaugeOption) (metric.Int64Gauge, error) {
	return nil, errors.New("gauge " + name + " refused")
}
