package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/deploysafe/deploysafe/internal/journalfile"
	"github.com/deploysafe/deploysafe/rollout"
)

// TestInspectFileReadsWithoutWriting: inspectFile of a file journal says
// what the Run that wrote it reported, and writes nothing: a missing file
// is an error (not created), a torn tail is skipped (not repaired); damage
// a crash cannot explain is ErrJournal.
func TestInspectFileReadsWithoutWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "v2.journal")
	if rep, err := inspectFile(ctx, path); rep != nil || !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, rollout.ErrJournal) {
		t.Fatalf("missing file: %+v %v, want ErrJournal and fs.ErrNotExist", rep, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("inspectFile created the journal: %v", err)
	}
	ex, err := rollout.New(&fleet{cur: map[string]string{}, fail: "site02"}, rollout.FileJournal(path))
	if err != nil {
		t.Fatal(err)
	}
	p := rolloutPlan(t)
	want, _ := ex.Run(ctx, p, p.Fingerprint())
	// A crash in the middle of an append: a frame header and part of its payload.
	torn, err := journalfile.Append(nil, []byte(`{"k":"deployed","t":"site07"}`))
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
	got, err := inspectFile(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint != want.Fingerprint || got.Outcome != want.Outcome || got.Outcome != rollout.OutcomeRolledBack ||
		got.WavesPassed != want.WavesPassed || len(got.Targets) != len(want.Targets) {
		t.Errorf("inspectFile\n%+v\nRun's report\n%+v", got, want)
	}
	for i := range got.Targets {
		g, w := got.Targets[i], want.Targets[i]
		if g.Target != w.Target || g.State != w.State || g.Wave != w.Wave || fmt.Sprint(g.Err) != fmt.Sprint(w.Err) {
			t.Errorf("target %d: %+v, Run said %+v", i, g, w)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Errorf("inspectFile changed the journal: %d bytes before, %d after", len(before), len(after))
	}

	empty := filepath.Join(dir, "empty.journal")
	os.WriteFile(empty, []byte(journalfile.Header), 0o600)
	if rep, err := inspectFile(ctx, empty); rep != nil || err != nil {
		t.Fatalf("a journal of no rollout: %+v %v, want nothing", rep, err)
	}
	bad := filepath.Join(dir, "bad.journal")
	os.WriteFile(bad, []byte("not a journal\n"), 0o600)
	if _, err := inspectFile(ctx, bad); !errors.Is(err, rollout.ErrJournal) || !errors.Is(err, journalfile.ErrCorrupt) {
		t.Fatalf("not a journal: %v, want ErrJournal", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := inspectFile(cctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v, want context.Canceled", err)
	}
}
