package snapshot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// newKeySource makes one partition per key, with rows of that key.
func newKeySource(keys ...string) *fakeSource {
	f := &fakeSource{schema: ordersSchema, data: map[Partition][]string{}, replaces: map[Partition]int{}, commits: map[Partition]int{}}
	rng := rand.New(rand.NewPCG(uint64(len(keys)), 2))
	for _, k := range keys {
		p := Partition{"orders", k}
		for i := range 3 {
			f.data[p] = append(f.data[p], fakeRow(rng, k, i))
		}
	}
	return f
}

// roundTrip takes every partition of src, loads the manifest back from the
// store alone (what a later process has), damages each partition and
// restores it from that manifest.
func roundTrip(t *testing.T, src *fakeSource, store Store) {
	t.Helper()
	ctx := context.Background()
	sel := src.partitions()
	want := src.snapshotOf()
	taken, err := Take(ctx, src, store, sel, ID("keys"))
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	m, err := LoadManifest(ctx, store, taken.ID)
	if err != nil {
		t.Fatalf("LoadManifest: %v", err)
	}
	if got := m.Selection(); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", sel) {
		t.Fatalf("manifest selection %q, want %q (byte for byte)", got, sel)
	}
	for _, p := range sel {
		src.mutate(p, func(l []string) []string { return l[:1] })
	}
	if _, err := Restore(ctx, src, store, m, m.Selection()); err != nil {
		t.Fatalf("Restore from the reloaded manifest: %v", err)
	}
	// A rerun reads the journal, whose records name the same keys.
	res, err := Restore(ctx, src, store, m, sel)
	if err != nil || len(res.Skipped) != len(sel) {
		t.Fatalf("rerun = %+v, %v; want every partition skipped", res, err)
	}
	wantRestored(t, src, want, nil, sel)
}

// TestNonUTF8KeysRoundTrip: a key that is not valid UTF-8 (a SQLite TEXT
// value, any custom Source) must survive the manifest and the journal
// byte for byte, or the snapshot cannot be restored.
func TestNonUTF8KeysRoundTrip(t *testing.T) {
	keys := []string{"site-\xff", "\xc3\x28", "ok", "caf\xe9", ""}
	for _, k := range keys[:4] {
		if k != "ok" && utf8.ValidString(k) {
			t.Fatalf("test key %q is valid UTF-8", k)
		}
	}
	roundTrip(t, newKeySource(keys...), newTestDirStore(t))
}

func FuzzKeysRoundTrip(f *testing.F) {
	f.Add([]byte("site-1"), []byte("\xff\xfe"))
	f.Add([]byte("\xc3\x28"), []byte("\xc3\xa9"))
	f.Add([]byte(`{"Key":"x"}`), []byte("\\N"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ka, kb := string(a), string(b)
		if ka == kb {
			return
		}
		roundTrip(t, newKeySource(ka, kb), newMemStore())
	})
}
