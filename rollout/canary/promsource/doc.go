// Package promsource reads a canary's and its baseline's samples from
// Prometheus, with PromQL range queries over the HTTP API (the official
// client), for the judgement of package canary. An answer that is not one
// fresh series of finite values per side fails the gate with the query in
// the message: it never passes.
//
//	client, err := api.NewClient(api.Config{Address: "http://prometheus:9090"})
//	src, err := promsource.New(v1.NewAPI(client),
//		`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{track="baseline"}[1m])))`,
//		`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{track="canary"}[1m])))`,
//		promsource.Window(10*time.Minute), promsource.Step(10*time.Second))
//	gate := src.Gate("canary p99", 2*time.Minute, canary.Tolerance(0.2))
//	plan, err := rollout.NewPlan(version, targets, rollout.Wave(0, rollout.Bake{}, gate))
//
// The gate is canary.Gate over [Source.Fetch], calibrated: before the first
// deploy it must fail a known-bad canary and pass an A/A one, with as many
// points as the window gives. Fetch also feeds canary.Analysis or
// canary.Judge directly.
//
// # What fails
//
// Each of these is a [*QueryError] naming the side and the query, and the
// gate's verdict is canary.ErrInconclusive: a query error (bad PromQL,
// Prometheus unreachable, the context's deadline), an answer with warnings
// (the data may be partial), no series, more than one series, a result that
// is not a range vector, a NaN or ±Inf point, and a stale series, whose last
// point is older than MaxAge before the end of the window. Too few points
// is the judgement's (canary.MinSamples): inconclusive, with both queries in
// the message.
//
// # Points
//
// A range query evaluates the expression at every Step from now − Window to
// now; Prometheus fills each point from the latest sample at most its
// lookback delta (5 minutes) old, and ends a series early when its target
// stops exposing it (a staleness marker). So choose Step at least the
// scrape interval, or points repeat samples, and Window/Step + 1 at least
// canary.MinSamples (50 by default); Prometheus answers at most 11,000
// steps (11,001 points per series), and New refuses more.
//
// A judgement of 2×10,000 points takes some 25–75 ms against a Prometheus on
// the same machine (measured on a loaded 2-core machine), nearly all of it
// the two queries; the judgement itself takes about a millisecond. Gzip,
// which Go's HTTP client asks for by default, was a third or more of that
// on localhost: a client with http.Transport{DisableCompression: true} saves it.
package promsource
