package pgreaper_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/deploysafe/deploysafe/internal/heappeak"
	"github.com/deploysafe/deploysafe/reaper"
	"github.com/deploysafe/deploysafe/reaper/pgreaper"
)

// benchFleet is n resources over 4 regions × 2 generations, 1 orphan in
// every `every` (judged orphaned by all three observers).
func benchFleet(n, every int) (inv, []reaper.Observer) {
	var attrs []map[string]string
	for _, reg := range []string{"us-east-1", "eu-ams-1", "us-west-2", "eu-west-1"} {
		for _, gen := range []string{"previous", "current"} {
			attrs = append(attrs, map[string]string{"region": reg, "generation": gen})
		}
	}
	rs := make([]reaper.Resource, n)
	orphan := make(map[string]bool)
	for i := range rs {
		rs[i] = reaper.Resource{ID: fmt.Sprintf("r-%07d", i), Attrs: attrs[i%len(attrs)]}
		if i%every == 5 {
			orphan[rs[i].ID] = true
		}
	}
	vote := func(_ context.Context, r reaper.Resource) (reaper.Vote, error) {
		if orphan[r.ID] {
			return reaper.Vote{Verdict: reaper.Orphan, Evidence: "no owner"}, nil
		}
		return reaper.Vote{Verdict: reaper.Alive, Evidence: "owned"}, nil
	}
	return inv{rs}, []reaper.Observer{reaper.ObserverFunc("hostdb", "hostdb", vote),
		reaper.ObserverFunc("projects", "projects", vote), reaper.ObserverFunc("billing", "billing", vote)}
}

// BenchmarkSweepLedgers compares one shadow sweep on the three ledgers,
// side by side in one run: a typical fleet (1 orphan in 10,000: a small
// ledger) and a ledger-heavy one (1 in 10 judged orphaned: 100,000
// candidates remembered per million). Run with -benchtime=3x.
func BenchmarkSweepLedgers(b *testing.B) {
	pool, _ := database(b)
	for _, n := range []int{100_000, 1_000_000} {
		for _, every := range []int{10_000, 10} {
			i, o := benchFleet(n, every)
			for _, kind := range []string{"memory", "file", "postgres"} {
				b.Run(fmt.Sprintf("n=%d/orphans=1in%d/%s", n, every, kind), func(b *testing.B) {
					var led reaper.Ledger
					var opts []reaper.Option
					switch kind {
					case "memory":
						led = reaper.MemoryLedger()
					case "file":
						led, _ = reaper.FileLedger(filepath.Join(b.TempDir(), "ledger"))
					case "postgres":
						var lease reaper.Lease
						var err error
						led, lease, err = pgreaper.Open(context.Background(), pool, fmt.Sprintf("bench-%d-%d", n, every))
						if err != nil {
							b.Fatal(err)
						}
						opts = append(opts, reaper.Elect(lease))
					}
					lim := reaper.DefaultLimits()
					lim.MaxFraction, lim.MaxStratumFraction, lim.Concurrency = 1, 1, runtime.GOMAXPROCS(0)
					r, err := reaper.New(i, o, &dep{}, led, append(opts, reaper.Strata("region", "generation"), reaper.Limit(lim))...)
					if err != nil {
						b.Fatal(err)
					}
					runtime.GC()
					peak := heappeak.Start()
					b.ResetTimer()
					for k := 0; k < b.N; k++ {
						rep, err := r.Sweep(context.Background())
						if err != nil || rep.Orphan != (n+every-6)/every {
							b.Fatalf("sweep: %v %+v", err, rep)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/sweep")
					b.ReportMetric(float64(peak.Stop())/(1<<20), "peak-heap-MB")
				})
			}
		}
	}
}
