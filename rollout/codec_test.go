package rollout

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func sampleRecords() []Record {
	return []Record{
		{Kind: RecBegin, Fingerprint: "ab12", Version: "v2"},
		{Kind: RecDeploying, Target: "site-1", Wave: 0, Version: "v1"},
		{Kind: RecDeployed, Target: "site-1"},
		{Kind: RecDeploying, Target: "site \"2\"\n", Wave: 3, Version: "v1"},
		{Kind: RecDeployFailed, Target: "site \"2\"\n", Note: "boom ✗"},
		{Kind: RecRollbackStart, Note: "gate failed"},
		{Kind: RecRolledBack, Target: "site-1"},
		{Kind: RecEnd, Note: "rolled back"},
	}
}

func encodeAll(tb testing.TB, recs []Record) []byte {
	tb.Helper()
	b := []byte(journalHeader)
	for _, r := range recs {
		var err error
		if b, err = encodeRecord(b, r); err != nil {
			tb.Fatal(err)
		}
	}
	return b
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
	for cut := len(journalHeader); cut <= len(data); cut++ {
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
	second := len(journalHeader) + frameHeader + 40
	bad := append([]byte{}, data...)
	bad[second+frameHeader+3] ^= 0x40
	if _, _, err := decodeJournal(bad); !errors.Is(err, errCorrupt) {
		t.Fatalf("flipped byte: %v", err)
	}
	if _, _, err := decodeJournal([]byte("not a journal")); !errors.Is(err, errCorrupt) {
		t.Fatalf("bad header: %v", err)
	}
	unknown := encodeAll(t, []Record{{Kind: "launch-missiles"}, {Kind: RecEnd}})
	if _, _, err := decodeJournal(unknown); !errors.Is(err, errCorrupt) {
		t.Fatalf("unknown kind: %v", err)
	}
}

func TestFileJournalReopenAndRepair(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rollout.journal")
	j, err := OpenFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	recs := sampleRecords()
	for _, r := range recs {
		if err := j.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	// Simulate a crash in the middle of the next append: half a frame.
	frame, _ := encodeRecord(nil, Record{Kind: RecWavePassed, Wave: 2})
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(frame[:len(frame)/2])
	f.Close()

	j2, err := OpenFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	got, _ := j2.Load(ctx)
	if !reflect.DeepEqual(got, recs) {
		t.Fatalf("after repair: %+v", got)
	}
	if err := j2.Append(ctx, Record{Kind: RecWavePassed, Wave: 2}); err != nil {
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
	data[len(journalHeader)+frameHeader+2] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFileJournal(path); !errors.Is(err, ErrJournal) || !errors.Is(err, errCorrupt) {
		t.Fatalf("corrupt journal opened: %v", err)
	}
	if _, err := OpenFileJournal(""); !errors.Is(err, ErrJournal) {
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
	f.Add([]byte(journalHeader))
	f.Add(append([]byte(journalHeader), 0, 0, 0, 2, 0, 0, 0, 0, '{', '}'))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, valid, err := decodeJournal(data)
		if err != nil {
			if recs != nil || valid != 0 {
				t.Fatalf("error with results: %v", err)
			}
			return
		}
		if valid > len(data) || valid < len(journalHeader) {
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
