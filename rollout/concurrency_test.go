package rollout_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// slowDeployer counts deploys in flight.
type slowDeployer struct {
	*fleet
	mu            sync.Mutex
	inFlight, max int
}

func (d *slowDeployer) Deploy(ctx context.Context, t, v string) error {
	d.mu.Lock()
	d.inFlight++
	if d.inFlight > d.max {
		d.max = d.inFlight
	}
	d.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	defer func() { d.mu.Lock(); d.inFlight--; d.mu.Unlock() }()
	return d.fleet.Deploy(ctx, t, v)
}

func TestConcurrencyLimitInsideWave(t *testing.T) {
	targets := names("t", 40)
	d := &slowDeployer{fleet: newFleet("v1", targets...)}
	p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.NoRehearsal())
	ex, _ := rollout.New(d, rollout.Concurrency(4))
	if _, err := ex.Run(context.Background(), p, p.Fingerprint()); err != nil {
		t.Fatal(err)
	}
	if d.max > 4 || d.max < 2 {
		t.Fatalf("max deploys in flight %d, want 2..4", d.max)
	}
}

func TestWaveBakeOverridesBakeEach(t *testing.T) { synctest.Test(t, testWaveBakeOverridesBakeEach) }

func testWaveBakeOverridesBakeEach(t *testing.T) {
	f := newFleet("v1", "a", "b", "c")
	runs := map[int]int{}
	var mu sync.Mutex
	gate := rollout.Gate{Name: "g", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
		mu.Lock()
		runs[in.Wave]++
		mu.Unlock()
		return nil
	}}
	p, err := rollout.NewPlan("v2", []string{"a", "b", "c"}, rollout.Gates(gate), rollout.NoRehearsal(),
		rollout.Waves([]string{"a"}, []string{"b"}, []string{"c"}),
		rollout.BakeEach(rollout.Bake{Passes: 2, Every: time.Minute}),
		rollout.Wave(1, rollout.Bake{Min: time.Hour, Every: 15 * time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := rollout.New(f)
	start := time.Now()
	if _, err := ex.Run(context.Background(), p, p.Fingerprint()); err != nil {
		t.Fatal(err)
	}
	if runs[1] != 2 || runs[2] != 5 || runs[3] != 2 {
		t.Fatalf("gate runs per wave %v, want 2, 5, 2", runs)
	}
	if slept := time.Since(start); slept != time.Minute+time.Hour+time.Minute {
		t.Fatalf("baked %v", slept)
	}
}
