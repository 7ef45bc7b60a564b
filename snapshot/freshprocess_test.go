package snapshot

import (
	"context"
	"encoding/gob"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"
)

// freshChildEnv selects the child role of TestHelperFreshProcessRestore:
// the directory of the DirStore the parent wrote, and the snapshot ID.
const (
	freshChildDir = "DEPLOYSAFE_SNAPSHOT_FRESH_DIR"
	freshChildID  = "DEPLOYSAFE_SNAPSHOT_FRESH_ID"
)

// freshResult is what the child reports: the manifest's selection as it
// read it, and the rows it restored, per key.
type freshResult struct {
	Keys []string
	Rows map[string][]string
}

// TestNonUTF8KeysFreshProcess: the manifest is read and the snapshot
// restored by another process, which knows nothing but the store's
// directory and the snapshot ID (issue 16, "Done means": a key that is not
// valid UTF-8 must survive the manifest on disk, not only in memory). The
// child starts from an empty source, so every row it ends with came from
// the store, under the key the manifest names.
func TestNonUTF8KeysFreshProcess(t *testing.T) {
	keys := []string{"site-\xff", "\xc3\x28", "ok", "caf\xe9", "\xed\xa0\x80", "a\x00b", ""}
	for _, k := range []string{keys[0], keys[1], keys[3], keys[4]} {
		if utf8.ValidString(k) {
			t.Fatalf("test key %q is valid UTF-8", k)
		}
	}
	src := newKeySource(keys...)
	want := src.snapshotOf()
	dir := t.TempDir()
	store := openDirStore(t, dir)
	taken, err := Take(context.Background(), src, store, src.partitions(), ID("fresh"))
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	out := filepath.Join(t.TempDir(), "result.gob")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFreshProcessRestore$", "-test.count=1")
	cmd.Env = append(os.Environ(), freshChildDir+"="+dir, freshChildID+"="+taken.ID, "DEPLOYSAFE_SNAPSHOT_FRESH_OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatalf("the child wrote no result: %v", err)
	}
	defer f.Close()
	var got freshResult
	if err := gob.NewDecoder(f).Decode(&got); err != nil {
		t.Fatal(err)
	}
	var wantKeys []string
	for _, p := range src.partitions() {
		wantKeys = append(wantKeys, p.Key)
	}
	if !reflect.DeepEqual(got.Keys, wantKeys) {
		t.Fatalf("the child read keys %q from the manifest, want %q (byte for byte)", got.Keys, wantKeys)
	}
	wantRows := map[string][]string{}
	for p, rows := range want {
		wantRows[p.Key] = rows
	}
	if !reflect.DeepEqual(got.Rows, wantRows) {
		t.Fatalf("the child restored\n%q\nwant\n%q", got.Rows, wantRows)
	}
}

// TestHelperFreshProcessRestore is the child of TestNonUTF8KeysFreshProcess;
// without its environment it does nothing.
func TestHelperFreshProcessRestore(t *testing.T) {
	dir, id, out := os.Getenv(freshChildDir), os.Getenv(freshChildID), os.Getenv("DEPLOYSAFE_SNAPSHOT_FRESH_OUT")
	if dir == "" {
		return
	}
	ctx := context.Background()
	store, err := NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadManifest(ctx, store, id)
	if err != nil {
		t.Fatalf("LoadManifest: %v", err)
	}
	src := newKeySource() // empty: every row must come from the store
	sel := m.Selection()
	if _, err := Restore(ctx, src, store, m, sel); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	res := freshResult{Rows: map[string][]string{}}
	for _, p := range sel {
		res.Keys = append(res.Keys, p.Key)
	}
	for p, rows := range src.snapshotOf() {
		res.Rows[p.Key] = rows
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := gob.NewEncoder(f).Encode(res); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
