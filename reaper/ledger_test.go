package reaper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/deploysafe/deploysafe/internal/durable"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleState() *state {
	s := newState()
	s.Sweeps, s.LastInventory, s.Seq = 7, 1000, 3
	s.Entries["a"] = &entry{Stage: stCandidate, Streak: 2, First: t0, Last: 7, Attrs: map[string]string{"region": "r1"}}
	s.Entries["b"] = &entry{Stage: stQuarantining, Key: "quarantine/b/3", First: t0, QuarantinedAt: t0.Add(time.Hour)}
	s.Shadow["region=r1"] = 4
	s.Halt = &halt{ID: "abc", Sweep: 7, At: t0, Trips: []Trip{{Limit: "actions", Count: 11, Allowed: 10}}}
	s.Allow = map[string]int{"actions||": 11}
	return s
}

func TestStateRoundTrip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := encodeState(sampleState())
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeState(b)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(sampleState(), got, cmp.AllowUnexported(state{})); d != "" {
			t.Fatalf("round trip (-want +got):\n%s", d)
		}
	})
}

func TestDecodeRejectsDamage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		good, _ := encodeState(sampleState())
		flip := append([]byte(nil), good...)
		flip[len(flip)-5] ^= 0x20
		for name, b := range map[string][]byte{
			"truncated":  good[:len(good)-1],
			"bit flip":   flip,
			"no header":  []byte(`{"sweeps":1}`),
			"bad magic":  append([]byte("reaper-ledger/9"), good[len(ledgerMagic):]...),
			"extra byte": append(append([]byte(nil), good...), ' '),
		} {
			if _, err := decodeState(b); !errors.Is(err, ErrLedger) {
				t.Errorf("%s: err = %v, want ErrLedger", name, err)
			}
		}
	})
}

func FuzzDecodeState(f *testing.F) {
	good, _ := encodeState(sampleState())
	empty, _ := encodeState(newState())
	f.Add(good)
	f.Add(empty)
	f.Add([]byte("reaper-ledger/1 2 00000000\n{}"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeState(b)
		if err != nil {
			if !errors.Is(err, ErrLedger) {
				t.Fatalf("error not wrapping ErrLedger: %v", err)
			}
			return
		}
		// Whatever decodes must re-encode to something that decodes equal.
		b2, err := encodeState(s)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := decodeState(b2)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if d := cmp.Diff(s, s2, cmp.AllowUnexported(state{})); d != "" {
			t.Fatalf("unstable (-1 +2):\n%s", d)
		}
	})
}

func TestCorruptLedgerStopsSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, dep, _, _ := lifecycle(t, 10, "o")
		led := r.ledger.(*memoryLedger)
		led.blob = []byte("reaper-ledger/1 3 00000000\n{}x")
		if _, err := r.Sweep(context.Background()); !errors.Is(err, ErrLedger) {
			t.Fatalf("err = %v", err)
		}
		if len(dep.calls) != 0 {
			t.Fatal("acted on a corrupt ledger")
		}
	})
}

func TestFileLedgerCrashLeavesOldOrNew(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger")
	l, err := FileLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := l.Load(ctx); b != nil || err != nil {
		t.Fatalf("fresh ledger: %q %v", b, err)
	}
	old, next := []byte("old state"), []byte("new state, longer than the old")
	crash := errors.New("power cut")
	for _, step := range []durable.Step{durable.StepCreate, durable.StepWrite, durable.StepSync, durable.StepClose, durable.StepPublish, durable.StepSyncDir} {
		t.Run(string(step), func(t *testing.T) {
			if err := l.Store(ctx, old); err != nil {
				t.Fatal(err)
			}
			faulty := &fileLedger{path: path, w: durable.Writer{Fault: func(s durable.Step) error {
				if s == step {
					return crash
				}
				return nil
			}}}
			if err := faulty.Store(ctx, next); !errors.Is(err, crash) {
				t.Fatalf("store err = %v", err)
			}
			got, err := l.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// Before the publish step the old state must remain; after it
			// (the directory sync failing) the new one is in place.
			want := old
			if step == durable.StepSyncDir {
				want = next
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("after crash at %s: %q, want %q", step, got, want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Fatalf("after crash at %s: %d files left, want only the ledger", step, len(ents))
			}
		})
	}
	if _, err := FileLedger(filepath.Join(dir, "missing", "ledger")); err == nil {
		t.Fatal("missing directory accepted")
	}
	if _, err := FileLedger(filepath.Join(path, "ledger")); err == nil {
		t.Fatal("a file as directory accepted")
	}
}

// A reaper on a FileLedger picks up where the previous process stopped.
func TestFileLedgerSurvivesRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, inv, dep, sink, _ := lifecycle(t, 200, "o")
		l, err := FileLedger(filepath.Join(t.TempDir(), "ledger"))
		if err != nil {
			t.Fatal(err)
		}
		mk := func() *Reaper {
			return mustNew(t, inv, r.obs, dep, l, append(fast(sink), Act(Delete, 0), Strata("region"))...)
		}
		for i := 0; i < 4; i++ {
			sweepOK(t, mk()) // a fresh process every sweep
			time.Sleep(12 * time.Hour)
		}
		time.Sleep(defaultQuarantineWindow)
		sweepOK(t, mk())
		if dep.count(Quarantine) != 1 || dep.count(Delete) != 1 || len(dep.violations) > 0 {
			t.Fatalf("calls %v violations %v", dep.calls, dep.violations)
		}
	})
}

// FuzzDecodeStateBody frames arbitrary bodies with a valid header, so the
// fuzzer exercises the JSON decoding and validation behind the checksum.
func FuzzDecodeStateBody(f *testing.F) {
	good, _ := encodeState(sampleState())
	f.Add(good[bytes.IndexByte(good, '\n')+1:])
	f.Add([]byte(`{"entries":{"x":{"stage":"deleting","streak":-1}}}`))
	f.Add([]byte(`{"entries":{"":null},"shadow":{"a":-3}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		head := fmt.Sprintf("%s %d %08x\n", ledgerMagic, len(body), crc32.Checksum(body, castagnoli))
		s, err := decodeState(append([]byte(head), body...))
		if err != nil {
			if !errors.Is(err, ErrLedger) {
				t.Fatalf("error not wrapping ErrLedger: %v", err)
			}
			return
		}
		for id, e := range s.Entries {
			if id == "" || e == nil || !e.Stage.valid() || e.Streak < 0 {
				t.Fatalf("invalid entry accepted: %q %+v", id, e)
			}
		}
		if _, err := encodeState(s); err != nil {
			t.Fatal(err)
		}
	})
}
