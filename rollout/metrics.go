package rollout

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/deploysafe/deploysafe/internal/telemetry"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// MeterProvider records the rollout's metrics (see the package doc) through
// mp (default, or nil: the global provider, a no-op until the application
// installs one).
func MeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(e *Executor) error { e.mp = mp; return nil })
}

// meters are the executor's instruments. An instrument that fails to
// register is reported once through the logger and then records nothing.
type meters struct {
	deploys, rollbacks, gateRuns, rollouts, aborts metric.Int64Counter
	gateDuration                                   metric.Float64Histogram
	wave                                           metric.Int64Gauge
	// attrs caches attribute sets: building one per measurement would cost
	// more than the measurement. Events are emitted one at a time.
	attrs map[string]metric.MeasurementOption
}

// with returns the cached attribute option of key, value pairs.
func (m *meters) with(kv ...string) metric.MeasurementOption {
	k := strings.Join(kv, "\x00")
	if o, ok := m.attrs[k]; ok {
		return o
	}
	as := make([]attribute.KeyValue, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		as = append(as, attribute.String(kv[i], kv[i+1]))
	}
	o := metric.WithAttributeSet(attribute.NewSet(as...))
	m.attrs[k] = o
	return o
}

func newMeters(mp metric.MeterProvider, l *slog.Logger) *meters {
	m := telemetry.Meter(mp, "rollout")
	var errs telemetry.Errors
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs.Add(err)
		return c
	}
	ms := &meters{
		deploys:   counter("deploysafe.rollout.deploys", "{deploy}", "Deploys by outcome: deployed, failed, unconfirmed."),
		rollbacks: counter("deploysafe.rollout.rollbacks", "{rollback}", "Rollbacks and put-backs by outcome: rolled_back, unknown, put_back."),
		gateRuns:  counter("deploysafe.rollout.gate.runs", "{run}", "Gate runs by gate, phase and result: pass, fail, timeout."),
		rollouts:  counter("deploysafe.rollout.rollouts", "{rollout}", "Rollouts (Run, Resume, Abort calls) by outcome."),
		aborts:    counter("deploysafe.rollout.aborts", "{rollout}", "Rollouts stopped and rolled back, by cause."),
		attrs:     map[string]metric.MeasurementOption{},
	}
	var err error
	ms.gateDuration, err = m.Float64Histogram("deploysafe.rollout.gate.duration", metric.WithUnit("s"),
		metric.WithDescription("Gate run duration by gate, phase and result."))
	errs.Add(err)
	ms.wave, err = m.Int64Gauge("deploysafe.rollout.wave", metric.WithUnit("{wave}"),
		metric.WithDescription("The wave in progress (1 is the canary wave); 0 when no rollout runs."))
	errs.Add(err)
	errs.Report(l, "rollout")
	return ms
}

// record turns one event into measurements.
func (m *meters) record(e Event) {
	ctx := context.Background()
	one := func(c metric.Int64Counter, k, v string) {
		if c != nil {
			c.Add(ctx, 1, m.with(k, v))
		}
	}
	switch e.Kind {
	case "deployed":
		one(m.deploys, "outcome", "deployed")
	case "deploy failed":
		outcome := "failed"
		var te *TargetError
		if errors.As(e.Err, &te) && te.Op == "confirm" {
			outcome = "unconfirmed"
		}
		one(m.deploys, "outcome", outcome)
	case "rolled back":
		one(m.rollbacks, "outcome", "rolled_back")
	case "rollback failed":
		one(m.rollbacks, "outcome", "unknown")
	case "put back":
		one(m.rollbacks, "outcome", "put_back")
	case "gate":
		result := "pass"
		var ge *GateError
		if errors.As(e.Err, &ge) {
			result = "fail"
			if ge.TimedOut {
				result = "timeout"
			}
		}
		attrs := m.with("gate", e.Gate, "phase", e.Phase, "result", result)
		if m.gateRuns != nil {
			m.gateRuns.Add(ctx, 1, attrs)
		}
		if m.gateDuration != nil {
			m.gateDuration.Record(ctx, e.Elapsed.Seconds(), attrs)
		}
	case "wave":
		if m.wave != nil {
			m.wave.Record(ctx, int64(e.Wave))
		}
	case "rollback":
		one(m.aborts, "cause", abortCause(e.Err))
	case "done":
		if m.wave != nil {
			m.wave.Record(ctx, 0)
		}
		one(m.rollouts, "outcome", strings.ReplaceAll(string(e.Outcome), " ", "_"))
	}
}

// abortCause names why a rollout was rolled back, from a bounded set.
func abortCause(err error) string {
	var ge *GateError
	var te *TargetError
	var ope *OffPlanError
	switch {
	case errors.Is(err, errAborted):
		return "operator"
	case errors.As(err, &ope):
		return "off_plan"
	case errors.Is(err, ErrCensus):
		return "census"
	case errors.As(err, &ge):
		return "gate"
	case errors.As(err, &te) && te.Op == "confirm":
		return "unconfirmed"
	case errors.As(err, &te):
		return "deploy"
	}
	return "other"
}

// measured is the slog value a failed gate's error carries (a canary
// judgement with its samples), or the zero Value.
func measured(err error) (slog.Value, bool) {
	var lv slog.LogValuer
	if errors.As(err, &lv) {
		return lv.LogValue(), true
	}
	return slog.Value{}, false
}
