package rollout

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout/internal/guard"
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

// versionFleet answers Version from a map; its other methods are not used.
type versionFleet map[string]string

func (versionFleet) Deploy(context.Context, string, string) error { return nil }
func (versionFleet) Rollback(context.Context, string) error       { return nil }
func (m versionFleet) Version(_ context.Context, t string) (string, error) {
	return m[t], nil
}

// BenchmarkReconfirm10k is the lasting confirmation of one wave: Version
// asked again, through the guard and under CallDeadline, for each of
// 10,000 deployed targets (Concurrency 10, an instant deployer). ns/target
// is the cost per target per wave (issue 26 asks < 5 µs).
func BenchmarkReconfirm10k(b *testing.B) {
	const n = 10000
	fleet := make(versionFleet, n)
	allowed := make(map[string]struct{}, n)
	st := newRunState()
	for i := 0; i < n; i++ {
		t := fmt.Sprintf("site%05d", i)
		fleet[t], allowed[t] = "v2", struct{}{}
		ts := &tstate{target: t, prev: "v1", state: StateDeployed}
		st.targets[t], st.order = ts, append(st.order, ts)
	}
	sealed, err := guard.Seal(fleet)
	if err != nil {
		b.Fatal(err)
	}
	dep, err := sealed.Bind("v2", allowed, refuse)
	if err != nil {
		b.Fatal(err)
	}
	p := &Plan{version: "v2", callDeadline: defaultCallDeadline, settle: time.Minute}
	r := &run{e: &Executor{limit: 10}, p: p, st: st, dep: dep, j: &memJournal{}, jctx: context.Background(), over: map[string]bool{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := r.reconfirm(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/target")
}
