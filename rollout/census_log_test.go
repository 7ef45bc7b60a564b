package rollout_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/deploysafe/deploysafe/rollout"
)

// censusRecords runs the put-back plan against a census fleet, logging at
// Info, and returns the "rollout census" records.
func censusRecords(t *testing.T, drift bool) []map[string]any {
	t.Helper()
	f := newFleet("v1", append(names("t", 6), "x00")...)
	if drift {
		driftOnce(f, "t00", "x00", "v3")
	}
	var buf bytes.Buffer
	ex, _ := rollout.New(&censusFleet{fleet: f}, rollout.Logger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	p := putBackPlan(t)
	_, _ = ex.Run(context.Background(), p, p.Fingerprint())
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r["msg"] == "rollout census" {
			out = append(out, r)
		}
	}
	return out
}

// Censuses log at Info, as the package doc says; one that finds a change
// logs at Warn, with the change in its error.
func TestCensusLogLevels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clean := censusRecords(t, false)
		if len(clean) != 5 { // the baseline, after each of 3 waves, the last
			t.Errorf("%d census records at Info on a clean run, want 5: %v", len(clean), clean)
		}
		for _, r := range clean {
			if r["level"] != "INFO" || r["error"] != nil {
				t.Errorf("clean census logged %v", r)
			}
		}
		var warned bool
		for _, r := range censusRecords(t, true) {
			if r["level"] == "WARN" {
				warned = true
				if e, _ := r["error"].(string); !strings.Contains(e, `"x00"`) || r["wave"] != float64(1) {
					t.Errorf("census finding x00 changed logged %v", r)
				}
			}
		}
		if !warned {
			t.Error("a census that found x00 changed was not logged at Warn")
		}
	})
}
