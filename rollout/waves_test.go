package rollout_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/deploysafe/deploysafe/rollout"
)

// Waves are numbered from 1 (the canary), as in the plan's preview, in
// events, gate inputs, results, gate errors and logs; 0 means no wave.
// A rollback caused in wave 2 is the wave-2 rollback, and each census
// carries the wave after which it was taken (0 for the baseline).
func TestWaveNumbersAgree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		targets := names("t", 4)
		f := newFleet("v1", append(append([]string{}, targets...), "x00")...)
		var events []rollout.Event
		var inputs []rollout.GateInput
		fail := errors.New("error rate 9%")
		g := rollout.Gate{Name: "g", Deadline: 1e9, Check: func(_ context.Context, in rollout.GateInput) error {
			inputs = append(inputs, in)
			if in.Phase == "deploy" && len(in.Targets) == 2 { // the second wave
				return fail
			}
			return nil
		}}
		var buf bytes.Buffer
		ex, _ := rollout.New(&censusFleet{fleet: f}, rollout.OnEvent(func(e rollout.Event) { events = append(events, e) }),
			rollout.Logger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		p, err := rollout.NewPlan("v2", targets, rollout.Gates(g), rollout.NoRehearsal(),
			rollout.Waves([]string{"t00"}, []string{"t01", "t02"}, []string{"t03"}))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ex.Run(context.Background(), p, p.Fingerprint())
		var ge *rollout.GateError
		if !errors.As(err, &ge) || ge.Wave != 2 || !strings.Contains(ge.Error(), "wave 2") {
			t.Fatalf("Run: %v (GateError %+v)", err, ge)
		}
		for _, in := range inputs {
			if want := map[int]int{1: 1, 2: 2}[len(in.Targets)]; in.Phase != "verify" && in.Wave != want {
				t.Errorf("gate input %s for %v has Wave %d, want %d", in.Phase, in.Targets, in.Wave, want)
			}
			if in.Phase == "verify" && in.Wave != 2 {
				t.Errorf("verify after the wave-2 rollback has Wave %d", in.Wave)
			}
		}
		for _, r := range rep.Targets {
			if want := map[string]int{"t00": 1, "t01": 2, "t02": 2}[r.Target]; r.Wave != want {
				t.Errorf("result %s has Wave %d, want %d", r.Target, r.Wave, want)
			}
		}
		var censuses []int
		sawRollback := false
		for _, e := range events {
			switch e.Kind {
			case "census":
				censuses = append(censuses, e.Wave)
			case "rollback":
				sawRollback = true
				if e.Wave != 2 {
					t.Errorf("the rollback caused in wave 2 has Wave %d", e.Wave)
				}
			case "rolled back", "deploy", "deployed":
				if want := map[string]int{"t00": 1, "t01": 2, "t02": 2}[e.Target]; e.Wave != want {
					t.Errorf("%s %s has Wave %d, want %d", e.Kind, e.Target, e.Wave, want)
				}
			case "wave", "wave passed":
				if e.Wave < 1 || e.Wave > 2 {
					t.Errorf("%s has Wave %d", e.Kind, e.Wave)
				}
			case "start":
				if e.Wave != 0 {
					t.Errorf("start has Wave %d, want 0 (no wave yet)", e.Wave)
				}
			}
		}
		// baseline, after wave 1, after wave 2, after the rollback
		if want := []int{0, 1, 2, 2}; !sawRollback || !equalInts(censuses, want) {
			t.Errorf("census waves %v, want %v (rollback seen %v)", censuses, want, sawRollback)
		}
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var r map[string]any
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			if r["msg"] == "rollout rollback" && r["wave"] != float64(2) {
				t.Errorf("rollback logged with wave %v: %s", r["wave"], line)
			}
		}
	})
}

// An off-plan change of a target outside the plan belongs to no wave (0);
// one of a target of the plan carries that target's wave.
func TestOffPlanWave(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFleet("v1", append(names("t", 6), "x00")...)
		f.onDeploy = func(tg string) {
			if tg == "t00" {
				f.cur["t04"], f.cur["x00"] = "v3", "v3"
			}
		}
		var events []rollout.Event
		ex, _ := rollout.New(&censusFleet{fleet: f}, rollout.OnEvent(func(e rollout.Event) { events = append(events, e) }))
		p := putBackPlan(t)
		rep, _ := ex.Run(context.Background(), p, p.Fingerprint())
		want := map[string]int{"t04": 3, "x00": 0}
		for _, e := range events {
			if w, ok := want[e.Target]; ok && e.Wave != w {
				t.Errorf("%s %s has Wave %d, want %d", e.Kind, e.Target, e.Wave, w)
			}
		}
		for tg, w := range want {
			if r, ok := stateOf(rep, tg); !ok || r.Wave != w || r.State != rollout.StateOffPlan {
				t.Errorf("%s reported %+v, want wave %d", tg, r, w)
			}
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
