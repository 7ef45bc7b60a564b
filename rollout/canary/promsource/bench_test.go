package promsource_test

import (
	"context"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout/canary/promsource"
)

// BenchmarkGate is one judgement of 2×10,000 points or more, the two range
// queries to a local Prometheus included (the goal: under 100 ms),
// beside the two queries alone. The window holds up to 11,001 points per
// side so that a few failed scrapes (gaps) on a loaded machine still leave
// 10,000; points/side reports how many there were.
func BenchmarkGate(b *testing.B) {
	exp := newExporter(b)
	prom := startPrometheus(b, exp.URL, scrape)
	const w, s = 11 * time.Second, time.Millisecond
	waitPoints(b, prom, baseline, w, s, 10_000)
	src, err := promsource.New(prom, baseline, `demo_latency{track="same"}`, promsource.Window(w), promsource.Step(s))
	if err != nil {
		b.Fatal(err)
	}
	g := src.Gate("canary", time.Minute)
	ctx := context.Background()
	points := func(b *testing.B) {
		bl, _, err := src.Fetch(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(bl)), "points/side")
	}
	b.Run("gate-2x10k", func(b *testing.B) {
		for b.Loop() {
			if err := g.Check(ctx, deploy); err != nil {
				b.Fatal(err)
			}
		}
		points(b)
	})
	b.Run("fetch-2x10k", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := src.Fetch(ctx); err != nil {
				b.Fatal(err)
			}
		}
		points(b)
	})
}
