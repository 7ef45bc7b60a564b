package rollout_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/deploysafe/deploysafe/rollout"
)

// TestChangesExact: each single difference from the approved plan gives
// exactly its own line and no other, so a test that merely finds a line in
// the output cannot hide a spurious one (mutation testing found that).
func TestChangesExact(t *testing.T) {
	ok := func(context.Context) error { return nil }
	health := rollout.Gates(check("health", time.Second, ok))
	base := []string{"a", "b", "c"}
	plan := func(version string, waves [][]string, opts ...rollout.PlanOption) *rollout.Plan {
		t.Helper()
		var all []string
		for _, w := range waves {
			all = append(all, w...)
		}
		p, err := rollout.NewPlan(version, all, append([]rollout.PlanOption{health, rollout.Waves(waves...)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	approved := plan("v2", [][]string{{"a"}, {"b", "c"}})
	many := append([]string(nil), base...)
	for i := range 12 {
		many = append(many, fmt.Sprintf("x%02d", i))
	}
	for name, c := range map[string]struct {
		p    *rollout.Plan
		want []string
	}{
		"same":          {plan("v2", [][]string{{"a"}, {"b", "c"}}), nil},
		"version":       {plan("v3", [][]string{{"a"}, {"b", "c"}}), []string{`version "v2" → "v3"`}},
		"moved":         {plan("v2", [][]string{{"b"}, {"a", "c"}}), []string{"targets moved between waves"}},
		"rehearsal":     {plan("v2", [][]string{{"a"}, {"b", "c"}}, rollout.NoRehearsal()), []string{"rollback rehearsal: on → off"}},
		"settle":        {plan("v2", [][]string{{"a"}, {"b", "c"}}, rollout.Settle(0)), []string{"confirmation: every deploy confirmed by Version within 1m0s → NO post-deploy confirmation (Settle(0)): a Deploy that returns nil is believed"}},
		"call deadline": {plan("v2", [][]string{{"a"}, {"b", "c"}}, rollout.CallDeadline(time.Minute)), []string{"deployer call deadline: 5m0s → 1m0s"}},
		"put back":      {plan("v2", [][]string{{"a"}, {"b", "c"}}, rollout.PutBack()), []string{"put back off-plan changes: off → on"}},
		"one left out":  {plan("v2", [][]string{{"a"}, {"b"}}), []string{"1 approved target left out: c", "wave 2 size: 2 → 1"}},
		"one wave":      {plan("v2", [][]string{{"a", "b", "c"}}), []string{"waves: 2 → 1", "wave 1 size: 1 → 3"}},
		"three waves":   {plan("v2", [][]string{{"a"}, {"b"}, {"c"}}), []string{"waves: 2 → 3", "wave 2 size: 2 → 1"}},
		"bake":          {plan("v2", [][]string{{"a"}, {"b", "c"}}, rollout.Wave(1, rollout.Bake{Min: time.Minute, Every: time.Second})), []string{"wave 2 bake: none (gates must pass once) → at least 1m0s and 1 passing gate runs, every 1s"}},
		"gates":         {plan("v2", [][]string{{"a"}, {"b", "c"}}, rollout.Wave(0, rollout.Bake{}, check("smoke", time.Second, ok))), []string{"wave 1 gates: health (1s) → health (1s), smoke (1s)"}},
		"10 extra":      {plan("v2", [][]string{{"a"}, many[1:13]}), []string{"10 targets not approved: x00, x01, x02, x03, x04, x05, x06, x07, x08, x09", "wave 2 size: 2 → 12"}},
		"12 extra":      {plan("v2", [][]string{{"a"}, many[1:]}), []string{"12 targets not approved: x00, x01, x02, x03, x04, x05, x06, x07, x08, x09 … and 2 more", "wave 2 size: 2 → 14"}},
	} {
		if diff := cmp.Diff(c.want, c.p.Changes(approved)); diff != "" {
			t.Errorf("%s: Changes (-want +got):\n%s", name, diff)
		}
	}
}
