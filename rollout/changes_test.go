package rollout_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

func TestChanges(t *testing.T) {
	ok := func(context.Context) error { return nil }
	health := rollout.Gates(check("health", time.Second, ok))
	approved, err := rollout.NewPlan("v2", []string{"a", "b", "c"}, health)
	if err != nil {
		t.Fatal(err)
	}
	same, _ := rollout.NewPlan("v2", []string{"a", "b", "c"}, health)
	if got := same.Changes(approved); got != nil {
		t.Errorf("identical plans: Changes = %q, want nil", got)
	}

	proposed, err := rollout.NewPlan("v3", []string{"a", "c", "x", "y"},
		rollout.Gates(check("health", 2*time.Second, ok)), rollout.NoRehearsal())
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(proposed.Changes(approved), "\n")
	for _, want := range []string{
		`version "v2" → "v3"`,
		"2 targets not approved: x, y",
		"1 approved target left out: b",
		"rollback rehearsal: on → off",
		"wave 1 gates: health (1s) → health (2s)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Changes lacks %q:\n%s", want, got)
		}
	}
	if proposed.Changes(nil) == nil {
		t.Error("Changes(nil) = nil: a plan with nothing approved must not look approved")
	}
}
