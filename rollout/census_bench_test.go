package rollout

import (
	"context"
	"fmt"
	"testing"
)

// mapFleet is a census of a fixed map; its other methods are not used.
type mapFleet map[string]string

func (m mapFleet) Census(_ context.Context, add func(t, v string)) error {
	for t, v := range m {
		add(t, v)
	}
	return nil
}

// BenchmarkCensusDiff100k is one census of 100,000 targets compared with
// the baseline: one call, one pass over the map.
func BenchmarkCensusDiff100k(b *testing.B) {
	const n = 100000
	fleet := make(mapFleet, n)
	for i := 0; i < n; i++ {
		fleet[fmt.Sprintf("site%06d", i)] = "v1"
	}
	p := &Plan{version: "v2", callDeadline: defaultCallDeadline}
	st := newRunState()
	st.census = map[string]string(fleet)
	r := &run{e: &Executor{fleet: fleet}, p: p, st: st, j: &memJournal{}, jctx: context.Background()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := r.census(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/target")
}
