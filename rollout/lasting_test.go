package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// A target confirmed on v2 that another controller reverts while a later
// wave runs its gates is confirmed again (Version) after that wave and at
// the end, with or without a census: it is reported, the rollout never
// counts it as succeeded, and no later wave is deployed.
func TestConfirmationLasts(t *testing.T) {
	cases := []struct {
		name       string
		inWave     int    // the wave whose gate run the revert happens in
		moved, to  string // the target reverted, and its version then
		undeployed []string
		wantRolled bool // the target is confirmed back on v1 afterwards
	}{
		{"reverted during wave 2", 2, "t00", "v1", []string{"t03", "t04", "t05"}, true},
		{"moved during the last wave", 3, "t01", "v3", nil, false},
	}
	for _, c := range cases {
		for _, census := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/census=%v", c.name, census), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					f := newFleet("v1", names("t", 6)...)
					g := rollout.Gate{Name: "g", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
						if in.Phase == "deploy" && in.Wave == c.inWave {
							f.mu.Lock()
							f.cur[c.moved] = c.to // another controller
							f.mu.Unlock()
						}
						return nil
					}}
					p, err := rollout.NewPlan("v2", names("t", 6), rollout.Gates(g), rollout.NoRehearsal(),
						rollout.Waves([]string{"t00"}, []string{"t01", "t02"}, []string{"t03", "t04", "t05"}))
					if err != nil {
						t.Fatal(err)
					}
					var d rollout.Deployer = f
					if census {
						d = &censusFleet{fleet: f}
					}
					ex, _ := rollout.New(d)
					rep, err := ex.Run(context.Background(), p, p.Fingerprint())
					if err == nil || rep.Outcome == rollout.OutcomeSucceeded {
						t.Fatalf("succeeded while %s runs %s", c.moved, f.version(c.moved))
					}
					var te *rollout.TargetError
					if !errors.As(err, &te) || te.Op != "confirm" || te.Target != c.moved || te.Want != "v2" || te.Found != c.to || !errors.Is(err, rollout.ErrConfirm) {
						t.Errorf("no confirm error naming %s: %v", c.moved, err)
					}
					if rep.WavesPassed >= c.inWave {
						t.Errorf("%d waves passed; wave %d must not pass", rep.WavesPassed, c.inWave)
					}
					for _, tg := range c.undeployed {
						if f.deploys[tg] > 0 {
							t.Errorf("%s deployed after %s moved", tg, c.moved)
						}
					}
					r, _ := stateOf(rep, c.moved)
					if c.wantRolled != (r.State == rollout.StateRolledBack) {
						t.Errorf("%s reported %+v", c.moved, r)
					}
				})
			})
		}
	}
}
