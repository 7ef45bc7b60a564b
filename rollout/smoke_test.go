package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
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

// The probe interval: Every when given, else Within/20 clamped to
// [5ms, 1s]. Under synctest's clock the counts are exact but for the
// probe due at the deadline itself: whether it starts is the scheduler's
// choice between two timers firing at once, so want or want+1.
func TestSmokeProbeInterval(t *testing.T) {
	for _, tc := range []struct {
		within, every time.Duration
		want          int
	}{
		{time.Second, 0, 20},                      // Within/20 = 50ms
		{time.Second, 100 * time.Millisecond, 10}, // Every as given
		{40 * time.Millisecond, 0, 8},             // 2ms, raised to 5ms
		{time.Minute, 0, 60},                      // 3s, lowered to 1s
	} {
		synctest.Test(t, func(t *testing.T) {
			calls := 0
			g := rollout.Smoke{Within: tc.within, Every: tc.every, Probe: func(context.Context, string) error {
				calls++
				return errors.New("down")
			}}.Gate()
			err := g.Check(context.Background(), rollout.GateInput{Targets: []string{"a"}})
			if err == nil {
				t.Fatal("a probe that always fails passed")
			}
			// The count includes an attempt cut by the deadline before its probe ran.
			if a, b := fmt.Sprintf("after %d probe(s)", calls), fmt.Sprintf("after %d probe(s)", calls+1); !strings.Contains(err.Error(), a) && !strings.Contains(err.Error(), b) {
				t.Errorf("error %q says neither %q nor %q", err, a, b)
			}
			if calls != tc.want && calls != tc.want+1 {
				t.Errorf("Within %v, Every %v: %d probes, want %d or %d", tc.within, tc.every, calls, tc.want, tc.want+1)
			}
		})
	}
}
