package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/deploysafe/deploysafe/snapshot/internal/memstore"
)

// takeAll snapshots every partition of src into store, failing t on error.
func takeAll(t testing.TB, src *fakeSource, store Store, opts ...TakeOption) *Manifest {
	t.Helper()
	m, err := Take(context.Background(), src, store, src.partitions(), opts...)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return m
}

func TestTakeRoundTrip(t *testing.T) { synctest.Test(t, testTakeRoundTrip) }

func testTakeRoundTrip(t *testing.T) {
	src := newFakeSource(5, 3000, 1)
	store := newMemStore()
	var events []Progress
	m := takeAll(t, src, store, Parallelism(3), OnProgress(func(e Progress) { events = append(events, e) }))

	// In a synctest bubble the clock starts at midnight, 1 January 2000 UTC.
	if m.ID != "20000101T000000Z-"+contentHash(m)[:8] {
		t.Errorf("ID = %q, want creation time and content hash", m.ID)
	}
	if len(m.Partitions) != 5 || m.Rows != 15000 {
		t.Fatalf("manifest has %d partitions, %d rows; want 5, 15000", len(m.Partitions), m.Rows)
	}
	if m.NewBytes == 0 || m.NewBytes != store.BytesUnder("chunks/") {
		t.Errorf("NewBytes = %d, store holds %d chunk bytes", m.NewBytes, store.BytesUnder("chunks/"))
	}
	if m.StoredBytes >= m.Bytes {
		t.Errorf("stored %d bytes for %d uncompressed: not compressed", m.StoredBytes, m.Bytes)
	}
	if got := len(events); got != 10 || events[9].Finished != 5 || events[9].Total != 5 {
		t.Errorf("got %d progress events, last %v; want 10 ending 5/5", got, events[len(events)-1])
	}

	loaded, err := LoadManifest(context.Background(), store, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if contentHash(loaded) != contentHash(m) || !loaded.Created.Equal(m.Created) {
		t.Error("loaded manifest differs from the one Take returned")
	}
	ids, err := ListManifests(context.Background(), store)
	if err != nil || len(ids) != 1 || ids[0] != m.ID {
		t.Errorf("ListManifests = %v, %v; want [%s]", ids, err, m.ID)
	}

	// Every partition reads back byte for byte.
	for p, lines := range src.snapshotOf() {
		rc, err := openPartition(context.Background(), store, m, p)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Join(lines, "")
		// Len, the size hint Replace buffers by, counts down exactly.
		sized := rc.(interface{ Len() int })
		head := make([]byte, min(7, len(want)))
		if _, err := io.ReadFull(rc, head); err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		if n := sized.Len(); n != len(want)-len(head) {
			t.Errorf("partition %s: Len = %d after reading %d of %d bytes", p, n, len(head), len(want))
		}
		tail, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		if n := sized.Len(); n != 0 {
			t.Errorf("partition %s: Len = %d at the end", p, n)
		}
		if _, err := rc.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("partition %s: Read after Close = %v, want the io.EOF it ended with", p, err)
		}
		if got := append(head, tail...); string(got) != want {
			t.Errorf("partition %s reads back different bytes", p)
		}
	}
	// A reader closed before its end refuses to go on.
	rc, err := openPartition(context.Background(), store, m, m.Selection()[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if n, err := rc.Read(make([]byte, 1)); err == nil || err == io.EOF {
		t.Errorf("Read after an early Close = %d, %v; want an error", n, err)
	}
	if _, err := Verify(context.Background(), store, m); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestTakeUnchangedWritesNothing(t *testing.T) {
	src := newFakeSource(3, 1000, 2)
	store := newMemStore()
	first := takeAll(t, src, store)
	before := store.BytesUnder("chunks/")
	second := takeAll(t, src, store, ID("second"))
	if second.NewBytes != 0 || second.NewChunks != 0 {
		t.Errorf("re-snapshot wrote %d bytes in %d chunks, want 0", second.NewBytes, second.NewChunks)
	}
	if after := store.BytesUnder("chunks/"); after != before {
		t.Errorf("chunk bytes grew from %d to %d", before, after)
	}
	for i := range first.Partitions {
		if first.Partitions[i].Digest != second.Partitions[i].Digest {
			t.Errorf("digest of %s changed", first.Partitions[i].Partition)
		}
	}
}

func TestTakeSameIDIsIdempotent(t *testing.T) {
	src := newFakeSource(2, 100, 3)
	store := newMemStore()
	a := takeAll(t, src, store, ID("pre-deploy"))
	b := takeAll(t, src, store, ID("pre-deploy"))
	if contentHash(a) != contentHash(b) || !a.Created.Equal(b.Created) {
		t.Error("second Take under the same id did not return the stored manifest")
	}
	src.mutate(Partition{"orders", "t000"}, func(l []string) []string { return l[1:] })
	_, err := Take(context.Background(), src, store, src.partitions(), ID("pre-deploy"))
	if !errors.Is(err, ErrExist) {
		t.Errorf("Take of different data under a taken id = %v, want ErrExist", err)
	}
}

func TestTakeRefusesBadInput(t *testing.T) {
	src := newFakeSource(2, 10, 4)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		src   Source
		store Store
		sel   []Partition
		opts  []TakeOption
		want  error
		text  string
	}{
		{"empty selection", src, newMemStore(), nil, nil, ErrEmptySelection, "empty selection"},
		{"unknown partition", src, newMemStore(), selectKeys("t000", "t999"), nil, ErrUnknownPartition, `"t999"`},
		{"unknown table", src, newMemStore(), []Partition{{"nope", "t000"}}, nil, nil, `table "nope"`},
		{"duplicate", src, newMemStore(), selectKeys("t000", "t000"), nil, nil, "selected twice"},
		{"no table", src, newMemStore(), []Partition{{"", "t000"}}, nil, nil, "has no table"},
		{"nil source", nil, newMemStore(), selectKeys("t000"), nil, nil, "nil Source"},
		{"bad id", src, newMemStore(), selectKeys("t000"), []TakeOption{ID("../x")}, ErrInvalidKey, "ID(\"../x\")"},
		{"bad parallelism", src, newMemStore(), selectKeys("t000"), []TakeOption{Parallelism(0)}, ErrConfig, "Parallelism(0)"},
		{"store down", src, downStore{}, selectKeys("t000"), nil, errDown, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Take(ctx, tc.src, tc.store, tc.sel, tc.opts...)
			if err == nil || m != nil {
				t.Fatalf("Take = %v, %v; want an error", m, err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v does not wrap %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not mention %q", err, tc.text)
			}
			if ms, ok := tc.store.(*memstore.Store); ok && ms.BytesUnder("manifests/") != 0 {
				t.Error("a manifest was written")
			}
		})
	}
}

// TestUnknownPartitionsListed pins how many unknown keys one error names:
// ten are listed in full, an eleventh is summed up as "and 1 more".
func TestUnknownPartitionsListed(t *testing.T) {
	src := newFakeSource(1, 10, 4)
	for _, tc := range []struct {
		unknown  int
		last     string
		wantMore bool
	}{{10, `"u09"`, false}, {11, `"u09", and 1 more`, true}} {
		keys := []string{"t000"}
		for i := range tc.unknown {
			keys = append(keys, fmt.Sprintf("u%02d", i))
		}
		err := checkPartitions(context.Background(), src, selectKeys(keys...))
		if !errors.Is(err, ErrUnknownPartition) || !strings.Contains(err.Error(), tc.last+": ") || strings.Contains(err.Error(), "more") != tc.wantMore {
			t.Errorf("checkPartitions with %d unknown keys = %v; want the list to end %s", tc.unknown, err, tc.last)
		}
	}
}

func TestTakeRefusesInconsistentDump(t *testing.T) {
	src := newFakeSource(1, 10, 5)
	src.mutate(Partition{"orders", "t000"}, func(l []string) []string {
		l[3] = strings.TrimSuffix(l[3], "\n") + "\\n" // same bytes count of rows changes: merge rows
		l[4] = strings.TrimSuffix(l[4], "\n")
		return l
	})
	_, err := Take(context.Background(), src, newMemStore(), src.partitions())
	if !errors.Is(err, ErrBadRow) {
		t.Errorf("Take of a dump whose lines do not match its row count = %v, want ErrBadRow", err)
	}
}

func TestChunkerIsContentDefined(t *testing.T) {
	p := chunkParams{Min: 1 << 10, Max: 16 << 10, Mask: highBits(12)}
	data := make([]byte, 400<<10)
	for i := range data {
		data[i] = byte(gear[i%251] >> (i % 57))
	}
	cut := func(data []byte, step int) [][]byte {
		var out [][]byte
		c := &chunker{p: p, emit: func(b []byte) error { out = append(out, append([]byte(nil), b...)); return nil }}
		for i := 0; i < len(data); i += step {
			if _, err := c.Write(data[i:min(i+step, len(data))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.flush(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	whole := cut(data, len(data))
	if got := bytes.Join(whole, nil); !bytes.Equal(got, data) {
		t.Fatal("chunks do not concatenate to the input")
	}
	for i, c := range whole[:len(whole)-1] {
		if len(c) < p.Min || len(c) > p.Max {
			t.Errorf("chunk %d has %d bytes, outside [%d, %d]", i, len(c), p.Min, p.Max)
		}
	}
	for _, step := range []int{1, 7, 4096, 100000} {
		if got := cut(data, step); len(got) != len(whole) || !bytes.Equal(got[len(got)/2], whole[len(whole)/2]) {
			t.Errorf("writes of %d bytes cut differently (%d chunks, want %d)", step, len(got), len(whole))
		}
	}
	// Inserting bytes near the start changes only the chunks around it.
	shifted := cut(append(append([]byte("inserted!"), data[:1000]...), data[1000:]...), 4096)
	seen := map[string]bool{}
	for _, c := range whole {
		seen[string(c)] = true
	}
	same := 0
	for _, c := range shifted {
		if seen[string(c)] {
			same++
		}
	}
	if same < len(whole)-2 {
		t.Errorf("after an insertion only %d of %d chunks are unchanged", same, len(whole))
	}
}
