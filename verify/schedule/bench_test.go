package schedule

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSweepFull is the default sweep: all zones × all transitions
// 1970–2040 (with the surrounding midnights) × DefaultHorizons, through the
// correct RFC9557 codec, on all cores.
func BenchmarkSweepFull(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		rep, err := Sweep[[]byte](ctx, rfc9557{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Failed != 0 {
			b.Fatalf("correct codec failed:\n%s", rep.err(5))
		}
		b.ReportMetric(float64(rep.Cases), "events/op")
		b.ReportMetric(float64(rep.Zones), "zones/op")
	}
}

// BenchmarkSweepFullOneCore is the same sweep with limit(1), the
// baseline for the parallel speed-up.
func BenchmarkSweepFullOneCore(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		rep, err := Sweep[[]byte](ctx, rfc9557{}, limit(1))
		if err != nil || rep.Failed != 0 {
			b.Fatal(err, rep.Failed)
		}
	}
}

// BenchmarkTransitionsAllZones walks every zone's transitions 1970–2040:
// the cost the sweep pays before it encodes anything.
func BenchmarkTransitionsAllZones(b *testing.B) {
	names, err := ZoneNames()
	if err != nil {
		b.Fatal(err)
	}
	locs := make([]*time.Location, len(names))
	for i, n := range names {
		locs[i] = mustZone(b, n)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, loc := range locs {
			trs, _ := transitions(loc, win0, win1)
			n += len(trs)
		}
		b.ReportMetric(float64(n), "transitions/op")
	}
}

// BenchmarkResolve resolves a wall time that exists once (the fast path)
// and one in a gap; BenchmarkTimeDate is the baseline that normalizes
// silently.
func BenchmarkResolve(b *testing.B) {
	loc := mustZone(b, "Europe/Berlin")
	for _, c := range []struct {
		name string
		w    Wall
	}{{"unique", Wall{2026, 6, 1, 9, 0, 0, 0}}, {"gap", Wall{2026, 3, 29, 2, 30, 0, 0}}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Resolve(c.w, loc, Compatible); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTimeDate(b *testing.B) {
	loc := mustZone(b, "Europe/Berlin")
	for i := 0; i < b.N; i++ {
		_ = time.Date(2026, 6, 1, 9, 0, 0, 0, loc)
	}
}
