package promsource

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// TestValues covers the answers a real Prometheus 2.42 does not give to a
// range query (warnings, a non-matrix value, native histograms) beside
// the ones it does, on the function that reads every answer.
func TestValues(t *testing.T) {
	end := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	r := v1.Range{Start: end.Add(-time.Minute), End: end, Step: 10 * time.Second}
	at := func(d time.Duration) model.Time { return model.TimeFromUnixNano(end.Add(-d).UnixNano()) }
	series := func(vals ...float64) *model.SampleStream {
		s := &model.SampleStream{Metric: model.Metric{"__name__": "m", "track": "canary"}}
		for i, v := range vals {
			s.Values = append(s.Values, model.SamplePair{Timestamp: at(time.Duration(len(vals)-1-i) * 10 * time.Second), Value: model.SampleValue(v)})
		}
		return s
	}
	good := model.Matrix{series(1, 2, 3)}
	old := series(1, 2, 3)
	for i := range old.Values {
		old.Values[i].Timestamp = old.Values[i].Timestamp.Add(-31 * time.Second)
	}
	for _, tc := range []struct {
		name     string
		v        model.Value
		warnings v1.Warnings
		err      error
		want     string // "" for success
	}{
		{"one fresh series", good, nil, nil, ""},
		{"client error", nil, nil, errors.New("connection refused"), "connection refused"},
		{"client error with warnings", nil, v1.Warnings{"w"}, errors.New("boom"), "boom"},
		{"warnings with data", good, v1.Warnings{"store 2 did not answer"}, nil, "warnings (the data may be partial): store 2 did not answer"},
		{"a vector", model.Vector{&model.Sample{Value: 1}}, nil, nil, "is a vector, not a range vector"},
		{"a scalar", &model.Scalar{Value: 1}, nil, nil, "is a scalar, not a range vector"},
		{"a string", &model.String{Value: "x"}, nil, nil, "is a string, not a range vector"},
		{"nothing", nil, nil, nil, "is nothing, not a range vector"},
		{"no series", model.Matrix{}, nil, nil, "no data: no series from 2026-12-07T11:59:00Z to 2026-12-07T12:00:00Z"},
		{"two series", model.Matrix{series(1), series(2)}, nil, nil, "2 series, want one"},
		{"no points", model.Matrix{series()}, nil, nil, "no data: the series"},
		{"native histograms only", model.Matrix{{Metric: model.Metric{}, Histograms: []model.SampleHistogramPair{{Timestamp: at(0)}}}}, nil, nil, "native histogram"},
		{"NaN", model.Matrix{series(1, math.NaN(), 3)}, nil, nil, "the value at 2026-12-07T11:59:50Z is NaN"},
		{"-Inf", model.Matrix{series(math.Inf(-1))}, nil, nil, "is -Inf"},
		{"stale", model.Matrix{old}, nil, nil, "stale: the last point is at 2026-12-07T11:59:29Z, 31s before the end of the window (MaxAge 30s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := values("canary", "q{x=\"y\"}", tc.v, tc.warnings, tc.err, r, 30*time.Second)
			if tc.want == "" {
				if err != nil || len(got) != 3 || got[0] != 1 || got[2] != 3 {
					t.Fatalf("values = %v, %v; want [1 2 3]", got, err)
				}
				return
			}
			var qe *QueryError
			if got != nil || !errors.As(err, &qe) || qe.Side != "canary" || qe.Query != `q{x="y"}` {
				t.Fatalf("values = %v, %v; want nil and a *QueryError", got, err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "promsource: canary query `q{x=\"y\"}`: ") {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("error %v does not wrap the client's %v", err, tc.err)
			}
		})
	}
}

// The point exactly MaxAge old is still current; one millisecond more is stale.
func TestMaxAgeBoundary(t *testing.T) {
	end := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	r := v1.Range{Start: end.Add(-time.Minute), End: end, Step: time.Second}
	for _, tc := range []struct {
		age   time.Duration
		stale bool
	}{{30 * time.Second, false}, {30*time.Second + time.Millisecond, true}} {
		m := model.Matrix{{Values: []model.SamplePair{{Timestamp: model.TimeFromUnixNano(end.Add(-tc.age).UnixNano()), Value: 1}}}}
		_, err := values("baseline", "q", m, nil, nil, r, 30*time.Second)
		if (err != nil) != tc.stale {
			t.Errorf("last point %v old: err = %v, want stale %t", tc.age, err, tc.stale)
		}
	}
}

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		opts                 []Option
		window, step, maxAge time.Duration
	}{
		{nil, 10 * time.Minute, 10 * time.Second, 30 * time.Second},
		{[]Option{Step(time.Minute), Window(time.Hour)}, time.Hour, time.Minute, 2 * time.Minute},
		{[]Option{Step(time.Minute), Window(time.Hour), MaxAge(time.Second)}, time.Hour, time.Minute, time.Second},
	} {
		o := newOptions(tc.opts)
		if o.err != nil || o.window != tc.window || o.step != tc.step || o.maxAge != tc.maxAge {
			t.Errorf("newOptions = window %v, step %v, max age %v, err %v; want %v, %v, %v", o.window, o.step, o.maxAge, o.err, tc.window, tc.step, tc.maxAge)
		}
	}
	if o := newOptions(nil); o.points() != 61 {
		t.Errorf("default points = %d, want 61", o.points())
	}
}
