package promsource_test

import (
	"log"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/canary"
	"github.com/deploysafe/deploysafe/rollout/canary/promsource"
)

// The p99 latency of the canary against the baseline's, from the last ten
// minutes, as the canary wave's gate. (No Output: it needs a Prometheus.)
func ExampleSource_Gate() {
	client, err := api.NewClient(api.Config{Address: "http://prometheus:9090"})
	if err != nil {
		log.Fatal(err)
	}
	src, err := promsource.New(v1.NewAPI(client),
		`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{track="baseline"}[1m])))`,
		`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{track="canary"}[1m])))`,
		promsource.Window(10*time.Minute), promsource.Step(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	gate := src.Gate("canary p99", 2*time.Minute, canary.Tolerance(0.2))
	plan, err := rollout.NewPlan("v2", []string{"a", "b", "c"}, rollout.Wave(0, rollout.Bake{}, gate))
	if err != nil {
		log.Fatal(err)
	}
	_ = plan // an Executor's Run calibrates the gate, then judges the canary wave with it
}
