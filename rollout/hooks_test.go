package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/deploysafe/deploysafe/rollout"
)

// hookLog records each hook call with what the fleet ran at the time.
type hookLog struct {
	mu    sync.Mutex
	calls []string
}

func (h *hookLog) hook(f interface{ version(string) string }, phase string, fail func(rollout.HookInput) error) func(context.Context, rollout.HookInput) error {
	return func(ctx context.Context, in rollout.HookInput) error {
		h.mu.Lock()
		h.calls = append(h.calls, fmt.Sprintf("%s %d %s on %s resumed=%t", phase, in.Wave, strings.Join(in.Targets, ","), f.version(in.Targets[0]), in.Resumed))
		h.mu.Unlock()
		if !strings.HasSuffix(in.ID, fmt.Sprintf("-wave%d-%s", in.Wave, phase)) {
			return fmt.Errorf("id %q", in.ID)
		}
		if fail != nil {
			return fail(in)
		}
		return nil
	}
}

// TestWaveHooks: before runs ahead of each wave's deploy (its targets
// still on v1), after once its gates passed (on v2); a failing after hook
// fails the wave and the rollout rolls back.
func TestWaveHooks(t *testing.T) {
	targets := []string{"a", "b", "c"}
	p, err := rollout.NewPlan("v2", targets, rollout.Waves([]string{"a"}, []string{"b", "c"}), rollout.Gates(pass("g")), rollout.NoRehearsal())
	if err != nil {
		t.Fatal(err)
	}
	f := newFleet("v1", targets...)
	var h hookLog
	ex, err := rollout.New(f, rollout.Hooks(h.hook(f, "before", nil), h.hook(f, "after", nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Run(context.Background(), p, p.Fingerprint()); err != nil {
		t.Fatal(err)
	}
	want := "before 1 a on v1 resumed=false; after 1 a on v2 resumed=false; before 2 b,c on v1 resumed=false; after 2 b,c on v2 resumed=false"
	if got := strings.Join(h.calls, "; "); got != want {
		t.Errorf("hooks ran:\n%s\nwant\n%s", got, want)
	}

	f = newFleet("v1", targets...)
	h = hookLog{}
	boom := errors.New("tenant check failed")
	ex, _ = rollout.New(f, rollout.Hooks(nil, h.hook(f, "after", func(in rollout.HookInput) error {
		if in.Wave == 2 {
			return boom
		}
		return nil
	})))
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	if !errors.Is(err, rollout.ErrHook) || !errors.Is(err, boom) || rep.Outcome != rollout.OutcomeRolledBack {
		t.Fatalf("Run with a failing after hook = %v, %v; want rolled back, ErrHook", rep, err)
	}
	for _, tg := range targets {
		if v := f.version(tg); v != "v1" {
			t.Errorf("%s on %s after the rollback", tg, v)
		}
	}
	if _, err := rollout.New(f, rollout.Hooks(nil, nil)); !errors.Is(err, rollout.ErrInvalidPlan) {
		t.Errorf("Hooks(nil, nil) = %v", err)
	}
}

// TestWaveHooksJournalled: the process dies inside wave 2's before hook;
// Resume does not run wave 1's finished hooks again and runs wave 2's
// before hook again with Resumed set and the same id.
func TestWaveHooksJournalled(t *testing.T) {
	targets := []string{"a", "b", "c"}
	p, err := rollout.NewPlan("v2", targets, rollout.Waves([]string{"a"}, []string{"b", "c"}), rollout.Gates(pass("g")), rollout.NoRehearsal())
	if err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(t.TempDir(), "journal")
	f := newFleet("v1", targets...)
	var h hookLog
	var ids []string
	ctx, cancel := context.WithCancel(context.Background())
	ex, _ := rollout.New(f, rollout.FileJournal(journal), rollout.Hooks(h.hook(f, "before", func(in rollout.HookInput) error {
		ids = append(ids, in.ID)
		if in.Wave == 2 {
			cancel() // the process dies here
			return ctx.Err()
		}
		return nil
	}), h.hook(f, "after", nil)))
	if _, err := ex.Run(ctx, p, p.Fingerprint()); err == nil {
		t.Fatal("Run survived its death")
	}
	h.calls = nil
	ex, _ = rollout.New(f, rollout.FileJournal(journal), rollout.Hooks(h.hook(f, "before", func(in rollout.HookInput) error {
		ids = append(ids, in.ID)
		return nil
	}), h.hook(f, "after", nil)))
	if _, err := ex.Resume(context.Background(), p, p.Fingerprint()); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	want := "before 2 b,c on v1 resumed=true; after 2 b,c on v2 resumed=false"
	if got := strings.Join(h.calls, "; "); got != want {
		t.Errorf("hooks on Resume:\n%s\nwant\n%s", got, want)
	}
	if len(ids) != 3 || ids[1] != ids[2] || ids[0] == ids[1] {
		t.Errorf("hook ids %v: want wave 2's the same in both processes and not wave 1's", ids)
	}
}
