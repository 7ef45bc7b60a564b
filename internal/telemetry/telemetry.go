// Package telemetry is the one place the module's packages get their
// OpenTelemetry meter from. The library never installs a provider or
// registers anything itself: with no provider given it uses the global one,
// which is a no-op until the application installs an SDK.
package telemetry

import (
	"errors"
	"log/slog"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
)

// Scope is the instrumentation scope prefix; a package's scope is
// Scope + "/" + its import path below the module, e.g. ".../rollout".
const Scope = "github.com/deploysafe/deploysafe"

// Meter returns the meter for pkg ("rollout", "reaper", "snapshot") from mp,
// or from the global provider when mp is nil.
func Meter(mp metric.MeterProvider, pkg string) metric.Meter {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	return mp.Meter(Scope + "/" + pkg)
}

// Errors collects the errors of creating a package's instruments, so that
// the package reports them once through its logger and goes on: a metric
// that failed to register never fails an operation.
type Errors struct{ errs []error }

// Add records err if it is not nil.
func (e *Errors) Add(err error) {
	if err != nil {
		e.errs = append(e.errs, err)
	}
}

// Report logs the collected errors once, at Warn, as one line; it does
// nothing when there are none or l is nil.
func (e *Errors) Report(l *slog.Logger, pkg string) {
	if len(e.errs) == 0 || l == nil {
		return
	}
	l.Warn(pkg+": some metrics are not recorded", "err", errors.Join(e.errs...).Error(), "count", len(e.errs))
	e.errs = nil
}

// Err returns the collected errors joined, or nil.
func (e *Errors) Err() error { return errors.Join(e.errs...) }
