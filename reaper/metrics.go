package reaper

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/deploysafe/deploysafe/internal/telemetry"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// instruments are the reaper's instruments (the table is in the package doc).
// Every attribute has a bounded set of values: never a resource ID.
type instruments struct {
	resources metric.Int64Gauge
	trips     metric.Int64Counter
	actions   metric.Int64Counter
	duration  metric.Float64Histogram
	halted    atomic.Int64 // read by the observable gauge
}

var verdictAttrs = [...]metric.MeasurementOption{
	Unknown: metric.WithAttributes(attribute.String("verdict", "unknown")),
	Alive:   metric.WithAttributes(attribute.String("verdict", "alive")),
	Orphan:  metric.WithAttributes(attribute.String("verdict", "orphan")),
}

func newInstruments(mp metric.MeterProvider, log *slog.Logger) *instruments {
	m := &instruments{}
	meter := telemetry.Meter(mp, "reaper")
	var errs telemetry.Errors
	var err error
	m.resources, err = meter.Int64Gauge("deploysafe.reaper.resources", metric.WithUnit("{resource}"),
		metric.WithDescription("Resources listed by the last sweep, by verdict."))
	errs.Add(err)
	m.trips, err = meter.Int64Counter("deploysafe.reaper.breaker.trips", metric.WithUnit("{trip}"),
		metric.WithDescription("Breaker limits exceeded, by limit, acknowledged or not."))
	errs.Add(err)
	m.actions, err = meter.Int64Counter("deploysafe.reaper.actions", metric.WithUnit("{action}"),
		metric.WithDescription("Actions decided, by action and result."))
	errs.Add(err)
	m.duration, err = meter.Float64Histogram("deploysafe.reaper.sweep.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of sweeps, by outcome."))
	errs.Add(err)
	_, err = meter.Int64ObservableGauge("deploysafe.reaper.halted", metric.WithUnit("1"),
		metric.WithDescription("1 while a breaker halt awaits acknowledgement, else 0."),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(m.halted.Load())
			return nil
		}))
	errs.Add(err)
	errs.Report(log, "reaper")
	// An instrument that failed to register records nothing, and never
	// fails a sweep.
	var none noop.Meter
	if m.resources == nil {
		m.resources, _ = none.Int64Gauge("")
	}
	if m.trips == nil {
		m.trips, _ = none.Int64Counter("")
	}
	if m.actions == nil {
		m.actions, _ = none.Int64Counter("")
	}
	if m.duration == nil {
		m.duration, _ = none.Float64Histogram("")
	}
	return m
}

// action counts one action's result: ok, failed, parked, precondition,
// skipped (the live re-check no longer found quorum) or shadow.
func (m *instruments) action(ctx context.Context, a Action, result string) {
	m.actions.Add(ctx, 1, metric.WithAttributes(attribute.String("action", a.String()), attribute.String("result", result)))
}

// sweep records what one sweep saw and how it ended.
func (m *instruments) sweep(ctx context.Context, s *sweep, err error) {
	outcome := "ok"
	if s.held == nil && errors.Is(err, ErrLeaseHeld) {
		outcome = "not_leader" // another replica sweeps: the normal state of a non-holder
	} else if errors.Is(err, ErrHalted) {
		outcome = "halted"
	} else if errors.Is(err, ErrBlastRadius) {
		outcome = "tripped"
	} else if err != nil && !isOnly(err) {
		outcome = "error"
	}
	if s.st != nil {
		m.halted.Store(0)
		if s.st.Halt != nil {
			m.halted.Store(1)
		}
	}
	for _, t := range s.trips {
		m.trips.Add(ctx, 1, metric.WithAttributes(attribute.String("limit", t.Limit)))
	}
	if s.verdicts != nil {
		m.resources.Record(ctx, int64(s.rep.Unknown), verdictAttrs[Unknown])
		m.resources.Record(ctx, int64(s.rep.Alive), verdictAttrs[Alive])
		m.resources.Record(ctx, int64(s.rep.Orphan), verdictAttrs[Orphan])
	}
	m.duration.Record(ctx, time.Since(s.started).Seconds(), metric.WithAttributes(attribute.String("outcome", outcome)))
}

// isOnly reports whether err is only a *PromotionError (a sweep that ran
// as shadow for lack of promotion, and otherwise went well).
func isOnly(err error) bool {
	var pe *PromotionError
	return errors.As(err, &pe) && err.Error() == pe.Error()
}
