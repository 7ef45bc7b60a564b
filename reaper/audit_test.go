package reaper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestLoggerWritesStructuredRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		truth := map[string]bool{"o": true}
		inv := oneOrphanFleet()
		skewed := time.Now().Add(30 * time.Minute) // this replica's clock runs ahead
		r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, newDep(), newMemLedger(),
			append(fast(nil), Logger(log), Act(Delete, 0), Grace(1, 0), Clock(func() time.Time { return skewed }))...)
		sweepOK(t, r)
		var kinds []string
		var verdict map[string]any
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("not JSON: %q", line)
			}
			if m["time"] != skewed.Format(time.RFC3339) {
				t.Fatalf("record stamped %v, want the injected clock's %v", m["time"], skewed.Format(time.RFC3339))
			}
			if m["kind"] == KindVerdict && m["resource"] == "o" {
				verdict = m
			}
			if m["kind"] != KindVerdict {
				kinds = append(kinds, m["kind"].(string)+"@"+m["level"].(string))
			}
		}
		want := []string{"recheck@DEBUG", "action@INFO", "sweep@INFO"}
		if strings.Join(kinds, ",") != strings.Join(want, ",") {
			t.Fatalf("records %v, want %v", kinds, want)
		}
		vote, _ := verdict["vote.a"].(map[string]any)
		if verdict["level"] != "DEBUG" || verdict["verdict"] != "orphan" || vote["evidence"] != "a: no owner" {
			t.Fatalf("verdict record %v", verdict)
		}
	})
}

func TestAuditFailureStopsActions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{"o": true}
		inv := oneOrphanFleet()
		dep := newDep()
		sink := &memSink{fail: func(r record) error {
			if r.Kind == KindRecheck {
				return errors.New("disk full")
			}
			return nil
		}}
		r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
			append(fast(sink), Act(Delete, 0), Grace(1, 0))...)
		if _, err := r.Sweep(context.Background()); !errors.Is(err, ErrAudit) {
			t.Fatalf("err = %v, want ErrAudit", err)
		}
		if len(dep.calls) != 0 {
			t.Fatal("acted without an audit record")
		}
	})
}

func TestSilentByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		prev := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
		defer slog.SetDefault(prev)
		inv := &fleet{res: []Resource{res("a"), res("b")}}
		r := mustNew(t, inv, []Observer{truthObs("x", nil)}, newDep(), newMemLedger(), Quorum(1, 1))
		sweepOK(t, r)
		if buf.Len() != 0 {
			t.Fatalf("logged without a Logger: %s", buf.String())
		}
	})
}
