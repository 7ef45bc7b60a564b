package promsource_test

import (
	"context"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout/canary/promsource"
)

// BenchmarkGate is one judgement of 2×10,001 points, the two range queries
// to a local Prometheus included (the goal: under 100 ms), beside
// the two queries alone.
func BenchmarkGate(b *testing.B) {
	exp := newExporter(b)
	prom := startPrometheus(b, exp.URL, scrape)
	const w, s = 10 * time.Second, time.Millisecond
	waitPoints(b, prom, baseline, w, s, 10_001)
	src, err := promsource.New(prom, baseline, `demo_latency{track="same"}`, promsource.Window(w), promsource.Step(s))
	if err != nil {
		b.Fatal(err)
	}
	g := src.Gate("canary", time.Minute)
	ctx := context.Background()
	b.Run("gate-2x10k", func(b *testing.B) {
		for b.Loop() {
			if err := g.Check(ctx, deploy); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fetch-2x10k", func(b *testing.B) {
		for b.Loop() {
			if bl, c, err := src.Fetch(ctx); err != nil || len(bl) < 10_000 || len(c) < 10_000 {
				b.Fatal(len(bl), len(c), err)
			}
		}
	})
}
