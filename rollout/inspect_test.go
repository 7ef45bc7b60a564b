package rollout_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/deploysafe/deploysafe/rollout"
)

// TestInspectIsRunsReport: Inspect of the journal a Run wrote says what the
// Run's Report said (succeeded, and rolled back with the failing target's
// error); of an empty journal, nothing.
func TestInspectIsRunsReport(t *testing.T) {
	ctx := context.Background()
	if rep, err := rollout.Inspect(ctx, &memStore{}); rep != nil || err != nil {
		t.Fatalf("empty journal: %+v %v", rep, err)
	}
	for _, fail := range []string{"", "t03"} {
		ts := names("t", 8)
		f := newFleet("v1", ts...)
		if fail != "" {
			f.deployErr[fail] = true
		}
		j := &memStore{}
		ex, err := rollout.New(f, rollout.Journal(j))
		if err != nil {
			t.Fatal(err)
		}
		p, err := rollout.NewPlan("v2", ts, rollout.Gates(pass("g")), rollout.NoRehearsal(), rollout.Waves(ts[:1], ts[1:4], ts[4:]))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ex.Run(ctx, p, p.Fingerprint())
		got, err := rollout.Inspect(ctx, j)
		if err != nil {
			t.Fatal(err)
		}
		if got.Fingerprint != want.Fingerprint || got.Version != want.Version || got.Outcome != want.Outcome ||
			got.WavesPassed != want.WavesPassed || fmt.Sprint(strip(got.Targets)) != fmt.Sprint(strip(want.Targets)) {
			t.Errorf("fail %q: Inspect\n%+v\nRun's report\n%+v", fail, got, want)
		}
	}
}

// strip makes target results comparable: errors by their text.
func strip(ts []rollout.TargetResult) []string {
	var out []string
	for _, t := range ts {
		e := ""
		if t.Err != nil {
			e = t.Err.Error()
		}
		out = append(out, fmt.Sprintf("%s w%d %s→%s now=%s put=%v unhealthy=%v err=%q", t.Target, t.Wave, t.Previous, t.State, t.Now, t.PutBack, t.Unhealthy, e))
	}
	return out
}
