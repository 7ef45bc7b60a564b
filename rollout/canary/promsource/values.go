package promsource

import (
	"fmt"
	"math"
	"strings"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// QueryError reports a query whose answer cannot be judged. Err says why
// (the client's error, a *v1.Error for an error from Prometheus, is
// wrapped); Query is the full expression, which Error shortens.
type QueryError struct {
	Side  string // "baseline" or "canary"
	Query string
	Err   error
}

// Error reads like: promsource: canary query `latency{track="canary"}`: no data: …,
// the query between backquotes (PromQL is full of double quotes).
func (e *QueryError) Error() string {
	return fmt.Sprintf("promsource: %s query `%s`: %v", e.Side, clip.String(e.Query), e.Err)
}

func (e *QueryError) Unwrap() error { return e.Err }

// values turns one range-query answer into the values of its one series,
// or the reason it cannot be judged. Every way the answer can be short of
// one fresh series of finite values is an error: a gate must never pass on
// data that is missing, partial, ambiguous or old.
func values(side, q string, v model.Value, warnings v1.Warnings, err error, r v1.Range, maxAge time.Duration) ([]float64, error) {
	fail := func(format string, args ...any) error {
		return &QueryError{Side: side, Query: q, Err: fmt.Errorf(format, args...)}
	}
	if err != nil {
		return nil, &QueryError{Side: side, Query: q, Err: err}
	}
	if len(warnings) > 0 {
		// Prometheus (and Thanos, Mimir behind the same API) warns when
		// the answer may be partial: a store that did not answer.
		quoted := make([]string, len(warnings))
		for i, w := range warnings {
			quoted[i] = clip.String(w)
		}
		return nil, fail("the answer carries warnings (the data may be partial): %s", strings.Join(quoted, "; "))
	}
	m, ok := v.(model.Matrix)
	if !ok {
		kind := "nothing"
		if v != nil {
			kind = "a " + v.Type().String()
		}
		return nil, fail("the answer is %s, not a range vector (matrix)", kind)
	}
	switch {
	case len(m) == 0:
		return nil, fail("no data: no series from %s to %s", r.Start.UTC().Format(time.RFC3339), r.End.UTC().Format(time.RFC3339))
	case len(m) > 1:
		return nil, fail("%d series, want one (aggregate them in the query): %s, %s…", len(m), clip.String(m[0].Metric.String()), clip.String(m[1].Metric.String()))
	}
	s := m[0]
	if len(s.Values) == 0 {
		if len(s.Histograms) > 0 {
			return nil, fail("the series %s has native histogram samples, not float values", clip.String(s.Metric.String()))
		}
		return nil, fail("no data: the series %s has no points", clip.String(s.Metric.String()))
	}
	out := make([]float64, len(s.Values))
	for i, p := range s.Values {
		f := float64(p.Value)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fail("the value at %s is %v (a division by zero, or a histogram with no observations?)", stamp(p.Timestamp), f)
		}
		out[i] = f
	}
	last := s.Values[len(s.Values)-1].Timestamp.Time()
	if age := r.End.Sub(last); age > maxAge {
		return nil, fail("stale: the last point is at %s, %v before the end of the window (MaxAge %v)", stamp(s.Values[len(s.Values)-1].Timestamp), age.Round(time.Millisecond), maxAge)
	}
	return out, nil
}

func stamp(t model.Time) string { return t.Time().UTC().Format(time.RFC3339Nano) }
