package rollout_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

func TestSmokeBecomesHealthy(t *testing.T) {
	var mu sync.Mutex
	tries := map[string]int{}
	probe := func(_ context.Context, tg string) error {
		mu.Lock()
		defer mu.Unlock()
		tries[tg]++
		if tries[tg] < 3 {
			return errors.New("starting")
		}
		return nil
	}
	g := rollout.Smoke{Within: time.Second, Probe: probe, Every: time.Millisecond}.Gate()
	if err := g.Check(context.Background(), rollout.GateInput{Targets: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	if tries["a"] != 3 || tries["b"] != 3 {
		t.Fatalf("tries %v", tries)
	}
}

func TestSmokeFailures(t *testing.T) {
	g := rollout.Smoke{Within: time.Second, Probe: func(context.Context, string) error { return nil }}.Gate()
	if err := g.Check(context.Background(), rollout.GateInput{}); err == nil || !strings.Contains(err.Error(), "no targets") {
		t.Fatalf("no targets must fail: %v", err)
	}
	// Every unhealthy target is reported; diagnostics that hang are cut.
	release := make(chan struct{})
	defer close(release)
	diag := func(_ context.Context, tg string) string {
		if tg == "b" {
			<-release
		}
		return "log of " + tg
	}
	g = rollout.Smoke{Within: 30 * time.Millisecond, Probe: func(_ context.Context, tg string) error { return errors.New("refused " + tg) },
		Diagnose: diag, DiagnoseWithin: 30 * time.Millisecond, Name: "boot"}.Gate()
	if g.Name != "boot" || g.Deadline <= 60*time.Millisecond {
		t.Fatalf("gate %q deadline %v must cover the probes and the diagnostics", g.Name, g.Deadline)
	}
	err := g.Check(context.Background(), rollout.GateInput{Targets: []string{"a", "b"}})
	msg := err.Error()
	for _, want := range []string{`smoke "a": not healthy within 30ms`, "refused a", "diagnostics: log of a", `"b"`, "diagnostics did not return"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q missing from %s", want, msg)
		}
	}
}
