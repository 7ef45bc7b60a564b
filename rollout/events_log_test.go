package rollout_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/rollout"
)

// TestLogAttributes: every record names the fingerprint (shortened) and the
// wave counted from 1; target, gate and phase, outcome and error appear
// exactly on the records they belong to.
func TestLogAttributes(t *testing.T) {
	f := newFleet("v1", names("t", 2)...)
	var buf bytes.Buffer
	ex, _ := rollout.New(f, rollout.Logger(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	p, err := rollout.NewPlan("v2", names("t", 2), rollout.Gates(pass("g")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Run(context.Background(), p, p.Fingerprint()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		msg, _ := r["msg"].(string)
		seen[msg] = true
		if fp, _ := r["fingerprint"].(string); fp != p.Fingerprint()[:16]+"…" {
			t.Errorf("%s: fingerprint %q, want the first 16 characters of %s and …", msg, fp, p.Fingerprint())
		}
		if w, _ := r["wave"].(float64); (w < 1 || w > 2) && !(w == 0 && msg == "rollout start") {
			t.Errorf("%s: wave %v, want 1 or 2 (counted from 1), or 0 at the start", msg, r["wave"])
		}
		_, hasTarget := r["target"]
		_, hasGate := r["gate"]
		_, hasOutcome := r["outcome"]
		_, hasErr := r["error"]
		if _, ok := r["measured"]; ok {
			t.Errorf("%s: a measured attribute, but no gate measured anything: %s", msg, line)
		}
		if hasErr {
			t.Errorf("%s: an error attribute on a clean run: %s", msg, line)
		}
		perTarget := msg == "rollout deploy" || msg == "rollout deployed" || msg == "rollout rolled back"
		if hasTarget != perTarget {
			t.Errorf("%s: target attribute %v: %s", msg, hasTarget, line)
		}
		if hasGate != strings.Contains(msg, "gate") {
			t.Errorf("%s: gate attribute %v: %s", msg, hasGate, line)
		}
		if hasGate && r["phase"] == nil {
			t.Errorf("%s: gate without phase: %s", msg, line)
		}
		if hasOutcome != (msg == "rollout done") {
			t.Errorf("%s: outcome attribute %v: %s", msg, hasOutcome, line)
		}
	}
	for _, want := range []string{"rollout deploy", "rollout gate", "rollout done"} {
		if !seen[want] {
			t.Errorf("no %q record in:\n%s", want, buf.String())
		}
	}
}
