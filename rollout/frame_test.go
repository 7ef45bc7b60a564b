package rollout

import (
	"bytes"
	"context"
	"errors"
	"github.com/deploysafe/deploysafe/internal/journalfile"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func sampleRecords() []record {
	return []record{
		{Kind: recBegin, Fingerprint: "ab12", Version: "v2", Time: 1},
		{Kind: recCensus, Census: map[string]string{"site-1": "v1", "x": "v0"}},
		{Kind: recDeploying, Target: "site-1", Wave: 0, Version: "v1"},
		{Kind: recDeployed, Target: "site-1"},
		{Kind: recDeploying, Target: "site \"2\"\n", Wave: 3, Version: "v1"},
		{Kind: recDeployFailed, Target: "site \"2\"\n", Note: "boom ✗"},
		{Kind: recRollbackStart, Note: "gate failed"},
		{Kind: recRolledBack, Target: "site-1"},
		{Kind: recEnd, Note: "rolled back"},
	}
}

// encodeFrame is one record as a file frame.
func encodeFrame(tb testing.TB, r record) []byte {
	tb.Helper()
	payload, err := encodeRecord(r)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := journalfile.Append(nil, payload)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func encodeAll(tb testing.TB, recs []record) []byte {
	tb.Helper()
	b := []byte(journalfile.Header)
	for _, r := range recs {
		b = append(b, encodeFrame(tb, r)...)
	}
	return b
}

// decodeJournal decodes a journal file's frames and records.
func decodeJournal(data []byte) ([]record, int, error) {
	payloads, valid, err := journalfile.Decode(data)
	if err != nil {
		return nil, 0, err
	}
	var recs []record
	for _, p := range payloads {
		r, err := decodeRecord(p)
		if err != nil {
			return nil, 0, err
		}
		recs = append(recs, r)
	}
	return recs, valid, nil
}

func loadAll(tb testing.TB, j JournalStore) []record {
	tb.Helper()
	recs, err := loadRecords(context.Background(), j, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

func TestCodecRoundTrip(t *testing.T) {
	recs := sampleRecords()
	data := encodeAll(t, recs)
	got, valid, err := decodeJournal(data)
	if err != nil || valid != len(data) || !reflect.DeepEqual(got, recs) {
		t.Fatalf("decode: %v valid=%d/%d\n got %+v", err, valid, len(data), got)
	}
}

// A crash can cut the file anywhere: every cut decodes to a prefix of the
// records, never an error, never a made-up record.
func TestCodecTornTailAtEveryOffset(t *testing.T) {
	recs := sampleRecords()
	data := encodeAll(t, recs)
	for cut := len(journalfile.Header); cut <= len(data); cut++ {
		got, valid, err := decodeJournal(data[:cut])
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if !reflect.DeepEqual(got, recs[:len(got)]) && len(got) > 0 {
			t.Fatalf("cut %d: not a prefix: %+v", cut, got)
		}
		if valid > cut {
			t.Fatalf("cut %d: valid %d", cut, valid)
		}
		// A zero-filled tail (some filesystems after a crash) is torn too.
		padded := append(append([]byte{}, data[:cut]...), make([]byte, 13)...)
		if got2, _, err := decodeJournal(padded); err != nil || len(got2) != len(got) {
			t.Fatalf("cut %d + zeros: %v, %d records", cut, err, len(got2))
		}
	}
}

func TestCodecDetectsCorruption(t *testing.T) {
	data := encodeAll(t, sampleRecords())
	// Flip a byte inside the second frame's payload: not a crash pattern.
	second := len(journalfile.Header) + journalfile.FrameHeader + 40
	bad := append([]byte{}, data...)
	bad[second+journalfile.FrameHeader+3] ^= 0x40
	if _, _, err := decodeJournal(bad); !errors.Is(err, journalfile.ErrCorrupt) {
		t.Fatalf("flipped byte: %v", err)
	}
	if _, _, err := decodeJournal([]byte("not a journal")); !errors.Is(err, journalfile.ErrCorrupt) {
		t.Fatalf("bad header: %v", err)
	}
	unknown := encodeAll(t, []record{{Kind: "launch-missiles"}, {Kind: recEnd}})
	if _, _, err := decodeJournal(unknown); !errors.Is(err, journalfile.ErrCorrupt) {
		t.Fatalf("unknown kind: %v", err)
	}
}

func TestFileJournalReopenAndRepair(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rollout.journal")
	j, err := openFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	recs := sampleRecords()
	for _, r := range recs {
		b, _ := encodeRecord(r)
		if err := j.Append(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	// Simulate a crash in the middle of the next append: half a frame.
	frame := encodeFrame(t, record{Kind: recWavePassed, Wave: 2})
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(frame[:len(frame)/2])
	f.Close()

	j2, err := openFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if got := loadAll(t, j2); !reflect.DeepEqual(got, recs) {
		t.Fatalf("after repair: %+v", got)
	}
	b, _ := encodeRecord(record{Kind: recWavePassed, Wave: 2})
	if err := j2.Append(ctx, b); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	all, valid, err := decodeJournal(data)
	if err != nil || valid != len(data) || len(all) != len(recs)+1 {
		t.Fatalf("after append on a repaired journal: %v, %d records", err, len(all))
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(m) != 0 {
		t.Errorf("temp files left: %v", m)
	}
}

func TestFileJournalRefusesCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	data := encodeAll(t, sampleRecords())
	data[len(journalfile.Header)+journalfile.FrameHeader+2] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := openFileJournal(path); !errors.Is(err, ErrJournal) || !errors.Is(err, journalfile.ErrCorrupt) {
		t.Fatalf("corrupt journal opened: %v", err)
	}
	if _, err := openFileJournal(""); !errors.Is(err, ErrJournal) {
		t.Fatalf("empty path: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
		t.Fatal("a corrupt journal was rewritten")
	}
}

func FuzzDecodeJournal(f *testing.F) {
	full := encodeAll(f, sampleRecords())
	f.Add(full)
	f.Add(full[:len(full)-5])
	f.Add([]byte(journalfile.Header))
	f.Add(append([]byte(journalfile.Header), 0, 0, 0, 2, 0, 0, 0, 0, '{', '}'))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, valid, err := decodeJournal(data)
		if err != nil {
			if recs != nil || valid != 0 {
				t.Fatalf("error with results: %v", err)
			}
			return
		}
		if valid > len(data) || valid < len(journalfile.Header) {
			t.Fatalf("valid %d of %d", valid, len(data))
		}
		// The valid prefix decodes to the same records, fully.
		again, v2, err := decodeJournal(data[:valid])
		if err != nil || v2 != valid || !reflect.DeepEqual(again, recs) {
			t.Fatalf("prefix decode differs: %v", err)
		}
		// Re-encoding gives a journal that decodes to the same records.
		re := encodeAll(t, recs)
		back, v3, err := decodeJournal(re)
		if err != nil || v3 != len(re) || !reflect.DeepEqual(back, recs) {
			t.Fatalf("re-encode differs: %v", err)
		}
	})
}

// An empty payload cannot be framed: its frame would be eight zero bytes,
// which decodeFrames must read as a crash's zero-filled tail.
func TestFrameRefusesEmptyPayload(t *testing.T) {
	if _, err := journalfile.Append([]byte(journalfile.Header), nil); err == nil {
		t.Error("appendFrame of an empty payload succeeded")
	}
	data, err := journalfile.Append([]byte(journalfile.Header), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, make([]byte, journalfile.FrameHeader)...)
	if payloads, valid, err := journalfile.Decode(data); err != nil || len(payloads) != 1 || valid != len(data)-journalfile.FrameHeader {
		t.Errorf("decodeFrames with a zero tail = %q, valid %d, %v", payloads, valid, err)
	}
}

// A closed journal refuses appends, and closing it again is harmless.
func TestFileJournalClosed(t *testing.T) {
	j, err := openFileJournal(filepath.Join(t.TempDir(), "j"))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(context.Background(), []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(context.Background(), []byte("b")); !errors.Is(err, ErrJournal) {
		t.Errorf("Append after Close = %v, want ErrJournal", err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}
