package reaper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestSlogSinkWritesStructuredRecords(t *testing.T) {
	var buf bytes.Buffer
	sink := SlogSink(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	c := newClock()
	truth := map[string]bool{"o": true}
	inv := &fleet{clock: c, res: []Resource{res("o")}}
	for i := 0; i < 100; i++ {
		inv.res = append(inv.res, res("l"+itoaT(i)))
	}
	r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, newDep(), &MemoryLedger{},
		append(fast(c, nil), WithAudit(sink), WithMode(Delete), WithGrace(1, 0))...)
	sweepOK(t, r)
	var kinds []string
	var verdict map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		kinds = append(kinds, m["msg"].(string))
		if m["msg"] == "reaper verdict" {
			verdict = m
		}
	}
	// Alive verdicts are Debug: only the orphan's verdict is logged at Info.
	want := []string{"reaper verdict", "reaper recheck", "reaper action", "reaper sweep"}
	if strings.Join(kinds, ",") != strings.Join(want, ",") {
		t.Fatalf("records %v, want %v", kinds, want)
	}
	vote, _ := verdict["vote.a"].(map[string]any)
	if verdict["resource"] != "o" || verdict["verdict"] != "orphan" || vote["evidence"] != "a: no owner" {
		t.Fatalf("verdict record %v", verdict)
	}
}

type failingSink struct{ MemorySink }

func (f *failingSink) Record(_ context.Context, r Record) error {
	if r.Kind == KindRecheck {
		return errors.New("disk full")
	}
	return nil
}

func TestAuditFailureStopsActions(t *testing.T) {
	c := newClock()
	truth := map[string]bool{"o": true}
	inv := &fleet{clock: c, res: []Resource{res("o")}}
	for i := 0; i < 100; i++ {
		inv.res = append(inv.res, res("l"+itoaT(i)))
	}
	dep := newDep()
	r := mustNew(t, inv, []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, &MemoryLedger{},
		append(fast(c, nil), WithAudit(&failingSink{}), WithMode(Delete), WithGrace(1, 0))...)
	if _, err := r.Sweep(context.Background()); !errors.Is(err, ErrAudit) {
		t.Fatalf("err = %v, want ErrAudit", err)
	}
	if len(dep.calls) != 0 {
		t.Fatal("acted without an audit record")
	}
}

func TestTee(t *testing.T) {
	a, b := &MemorySink{}, &MemorySink{}
	s := Tee(a, b)
	if err := s.Record(context.Background(), Record{Kind: KindAck, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if len(a.Records()) != 1 || len(b.Records(KindAck)) != 1 || len(b.Records(KindSweep)) != 0 {
		t.Fatal("Tee did not deliver to both")
	}
	defer func() {
		if p := recover(); p == nil || !strings.HasPrefix(p.(string), "reaper: ") {
			t.Fatalf("Tee(nil) panic = %v", p)
		}
	}()
	Tee(a, nil)
}
