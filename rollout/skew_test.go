package rollout

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// okDeployer never gets called: the journal is refused first.
type okDeployer struct{ calls int }

func (d *okDeployer) Deploy(context.Context, string, string) error { d.calls++; return nil }
func (d *okDeployer) Rollback(context.Context, string) error       { d.calls++; return nil }
func (d *okDeployer) Version(context.Context, string) (string, error) {
	d.calls++
	return "v1", nil
}

// A record stamped in the future of this machine's clock (another replica
// 48 h ahead) halts the call with an error naming the skew; within the
// tolerance it is believed. Both sides of the boundary are pinned.
func TestFileJournalRefusesRecordsFromTheFuture(t *testing.T) {
	gate := Gate{Name: "g", Deadline: time.Second, Check: func(context.Context, GateInput) error { return nil }}
	p, err := NewPlan("v2", []string{"a"}, Gates(gate), Settle(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ahead  time.Duration
		refuse bool
	}{
		{48 * time.Hour, true},
		{maxSkew + time.Minute, true},
		{maxSkew - time.Minute, false},
		{-48 * time.Hour, false}, // an old record is history, not skew
	} {
		path := filepath.Join(t.TempDir(), "j")
		fj, err := openFileJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := encodeRecord(record{Kind: recBegin, Fingerprint: p.fingerprint, Version: "v2", Time: time.Now().Add(tc.ahead).UnixNano()})
		if err := fj.Append(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		fj.Close()
		d := &okDeployer{}
		ex, _ := New(d, FileJournal(path))
		_, err = ex.Resume(context.Background(), p, p.fingerprint)
		switch {
		case tc.refuse && (!errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "in the future") || !strings.Contains(err.Error(), "clock skew")):
			t.Errorf("%v ahead: %v", tc.ahead, err)
		case tc.refuse && d.calls != 0:
			t.Errorf("%v ahead: the deployer was called", tc.ahead)
		case !tc.refuse && err != nil:
			t.Errorf("%v ahead: refused: %v", tc.ahead, err)
		}
		if tc.ahead == 48*time.Hour && !strings.Contains(err.Error(), "48h0m") {
			t.Errorf("the error does not name the skew: %v", err)
		}
	}
}

// The tolerance's exact edge: a record stamped maxSkew ahead is believed,
// one stamped a nanosecond later is not.
func TestSkewToleranceEdge(t *testing.T) {
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ahead  time.Duration
		refuse bool
	}{{maxSkew, false}, {maxSkew + time.Nanosecond, true}} {
		fj, err := openFileJournal(filepath.Join(t.TempDir(), "j"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := encodeRecord(record{Kind: recBegin, Fingerprint: "fp", Version: "v2", Time: now.Add(tc.ahead).UnixNano()})
		if err := fj.Append(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		_, err = loadRecords(context.Background(), fj, now)
		fj.Close()
		if refused := errors.Is(err, ErrJournal); refused != tc.refuse {
			t.Errorf("stamped %v ahead: %v, want refused %v", tc.ahead, err, tc.refuse)
		}
	}
}
