package rollout_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// instant is a fake deployer whose calls cost a map access.
type instant struct {
	mu   sync.Mutex
	cur  map[string]string
	prev map[string]string
}

func newInstant(targets []string) *instant {
	d := &instant{cur: make(map[string]string, len(targets)), prev: make(map[string]string, len(targets))}
	for _, t := range targets {
		d.cur[t] = "v1"
	}
	return d
}

func (d *instant) Deploy(_ context.Context, t, v string) error {
	d.mu.Lock()
	d.prev[t], d.cur[t] = d.cur[t], v
	d.mu.Unlock()
	return nil
}

func (d *instant) Rollback(_ context.Context, t string) error {
	d.mu.Lock()
	d.cur[t] = d.prev[t]
	d.mu.Unlock()
	return nil
}

func (d *instant) Version(_ context.Context, t string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cur[t], nil
}

// BenchmarkOverhead10k compares a whole 10,000-target rollout (default
// waves, rehearsal, one instant gate, in-memory journal, guard, events off)
// with a baseline loop calling the same fake deployer's Deploy directly.
// ns/target is the figure to compare; the difference is the library's
// overhead per target.
func BenchmarkOverhead10k(b *testing.B) {
	const n = 10000
	targets := names("site", n)
	for i := range targets {
		targets[i] = fmt.Sprintf("site%05d", i)
	}
	ctx := context.Background()
	b.Run("baseline-loop", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			d := newInstant(targets)
			b.StartTimer()
			for _, t := range targets {
				if err := d.Deploy(ctx, t, "v2"); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/target")
	})
	gate := check("instant", time.Second, func(context.Context) error { return nil })
	for _, conc := range []int{1, 10} {
		b.Run(fmt.Sprintf("rollout-concurrency-%d", conc), func(b *testing.B) {
			p, err := rollout.NewPlan("v2", targets, rollout.Gates(gate))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				d := newInstant(targets)
				ex, err := rollout.New(d, rollout.Concurrency(conc))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				rep, err := ex.Run(ctx, p, p.Fingerprint())
				if err != nil || len(rep.Targets) != n {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/target")
		})
	}
}

// BenchmarkHooksSavedPlan10k is rollout-concurrency-10 of
// BenchmarkOverhead10k with what approve-then-apply adds: the plan written
// to its file and read back (ReadPlan), compared with the one built in
// code (Changes), and a before and an after hook on every wave (journalled
// in the in-memory journal). ns/target beside the plain rollout's is the
// cost per target (goal < 10 µs).
func BenchmarkHooksSavedPlan10k(b *testing.B) {
	const n = 10000
	targets := names("site", n)
	ctx := context.Background()
	gate := check("instant", time.Second, func(context.Context) error { return nil })
	hook := func(context.Context, rollout.HookInput) error { return nil }
	for _, saved := range []bool{false, true} {
		b.Run(map[bool]string{false: "plain", true: "hooks+saved-plan"}[saved], func(b *testing.B) {
			p, err := rollout.NewPlan("v2", targets, rollout.Gates(gate))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				d := newInstant(targets)
				opts := []rollout.Option{rollout.Concurrency(10)}
				if saved {
					opts = append(opts, rollout.Hooks(hook, hook))
				}
				ex, err := rollout.New(d, opts...)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				approved := p.Fingerprint()
				if saved {
					var buf bytes.Buffer
					if _, err := p.WriteTo(&buf); err != nil {
						b.Fatal(err)
					}
					read, err := rollout.ReadPlan(&buf)
					if err != nil || len(p.Changes(read)) != 0 {
						b.Fatalf("ReadPlan: %v", err)
					}
					approved = read.Fingerprint()
				}
				rep, err := ex.Run(ctx, p, approved)
				if err != nil || len(rep.Targets) != n {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/target")
		})
	}
}

// instantFleet is instant with a census.
type instantFleet struct{ *instant }

func (d instantFleet) Census(_ context.Context, add func(t, v string)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for t, v := range d.cur {
		add(t, v)
	}
	return nil
}

// BenchmarkConfirmCensus10k runs the same 10,000-target plan three ways,
// alternating in one process: as today's Run would (Settle(0), no census),
// with post-deploy confirmation, and with confirmation and a census after
// every wave. The ns/target differences are the cost of the new checks;
// each confirmation makes one more (instant) Version call.
func BenchmarkConfirmCensus10k(b *testing.B) {
	const n = 10000
	targets := make([]string, n)
	for i := range targets {
		targets[i] = fmt.Sprintf("site%05d", i)
	}
	ctx := context.Background()
	gate := check("instant", time.Second, func(context.Context) error { return nil })
	for _, tc := range []struct {
		name   string
		settle time.Duration
		census bool
	}{
		{"no-confirm-no-census", 0, false},
		{"confirm", time.Minute, false},
		{"confirm-census", time.Minute, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p, err := rollout.NewPlan("v2", targets, rollout.Gates(gate), rollout.Settle(tc.settle))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				var d rollout.Deployer = newInstant(targets)
				if tc.census {
					d = instantFleet{d.(*instant)}
				}
				ex, err := rollout.New(d, rollout.Concurrency(1))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				rep, err := ex.Run(ctx, p, p.Fingerprint())
				if err != nil || len(rep.Targets) != n {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/target")
		})
	}
}
