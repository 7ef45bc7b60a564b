package rollout_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/deploysafe/deploysafe/rollout"
)

// TestInspectFileReadsWithoutWriting: InspectFile of a file journal says
// what the Run that wrote it reported, and writes nothing: a missing file
// is an error (not created), a torn tail is skipped (not repaired); damage
// a crash cannot explain is ErrJournal.
func TestInspectFileReadsWithoutWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "v2.journal")
	if rep, err := rollout.InspectFile(ctx, path); rep != nil || !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, rollout.ErrJournal) {
		t.Fatalf("missing file: %+v %v, want ErrJournal and fs.ErrNotExist", rep, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("InspectFile created the journal: %v", err)
	}

	ts := names("t", 8)
	f := newFleet("v1", ts...)
	f.deployErr["t03"] = true
	ex, err := rollout.New(f, rollout.FileJournal(path))
	if err != nil {
		t.Fatal(err)
	}
	p, err := rollout.NewPlan("v2", ts, rollout.Gates(pass("g")), rollout.NoRehearsal(), rollout.Waves(ts[:1], ts[1:4], ts[4:]))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ex.Run(ctx, p, p.Fingerprint())
	// A crash in the middle of an append: a frame header and part of its payload.
	torn, err := rollout.Frame([]byte(`{"k":"deployed","t":"t07"}`))
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fh.Write(torn[:len(torn)-5])
	fh.Close()
	before, _ := os.ReadFile(path)
	got, err := rollout.InspectFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint != want.Fingerprint || got.Version != want.Version || got.Outcome != want.Outcome || got.Outcome != rollout.OutcomeRolledBack ||
		got.WavesPassed != want.WavesPassed || fmt.Sprint(strip(got.Targets)) != fmt.Sprint(strip(want.Targets)) {
		t.Errorf("InspectFile\n%+v\nRun's report\n%+v", got, want)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Errorf("InspectFile changed the journal: %d bytes before, %d after", len(before), len(after))
	}

	empty := filepath.Join(dir, "empty.journal")
	j, err := rollout.OpenFileJournal(empty)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if rep, err := rollout.InspectFile(ctx, empty); rep != nil || err != nil {
		t.Fatalf("a journal of no rollout: %+v %v, want nothing", rep, err)
	}
	bad := filepath.Join(dir, "bad.journal")
	os.WriteFile(bad, []byte("not a journal\n"), 0o600)
	if _, err := rollout.InspectFile(ctx, bad); !errors.Is(err, rollout.ErrJournal) {
		t.Fatalf("not a journal: %v, want ErrJournal", err)
	}
	if _, err := rollout.InspectFile(ctx, ""); !errors.Is(err, rollout.ErrJournal) {
		t.Fatalf("empty path: %v, want ErrJournal", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := rollout.InspectFile(cctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v, want context.Canceled", err)
	}
}
