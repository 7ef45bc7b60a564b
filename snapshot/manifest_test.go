package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestDecodeManifestRejectsInconsistency(t *testing.T) {
	src := newFakeSource(2, 200, 60)
	m := takeAll(t, src, newMemStore(), smallChunks)
	for _, tc := range []struct {
		name   string
		change func(m *Manifest)
		text   string
	}{
		{"future format", func(m *Manifest) { m.format = 3 }, "format 3"},
		{"bad id", func(m *Manifest) { m.ID = "../etc" }, "id"},
		{"no partitions", func(m *Manifest) { m.Partitions = nil }, "no partitions"},
		{"unsorted", func(m *Manifest) { m.Partitions[0], m.Partitions[1] = m.Partitions[1], m.Partitions[0] }, "not sorted"},
		{"duplicate", func(m *Manifest) { m.Partitions[1] = m.Partitions[0] }, "listed twice"},
		{"unknown table", func(m *Manifest) { m.Partitions[0].Partition.Table = "a" }, "table not described"},
		{"fingerprint", func(m *Manifest) { m.tables[0].Schema.Types[0] = "int" }, "fingerprint"},
		{"bytes", func(m *Manifest) { m.Partitions[0].Bytes++ }, "chunks hold"},
		{"chunk id", func(m *Manifest) { m.Partitions[0].chunks[0].ID = "ABC" }, "invalid id"},
		{"chunk size", func(m *Manifest) { m.Partitions[0].chunks[0].Size = maxChunkSize + 1 }, "size"},
		{"negative rows", func(m *Manifest) { m.Partitions[0].Rows = -1 }, "rows"},
		{"no key columns", func(m *Manifest) { m.tables[0].Schema.KeyColumns = nil }, "no key columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cloneManifest(m)
			tc.change(c)
			buf := bytes.NewBuffer(indentJSON(c))
			_, err := decodeManifest(buf)
			if !errors.Is(err, ErrBadManifest) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("decodeManifest = %v, want ErrBadManifest mentioning %q", err, tc.text)
			}
		})
	}
	for _, bad := range []string{"", "{", `{"format":1,"digest":"zz"}`, strings.Repeat(" ", 10)} {
		if _, err := decodeManifest(strings.NewReader(bad)); !errors.Is(err, ErrBadManifest) {
			t.Errorf("decodeManifest(%q) = %v", bad, err)
		}
	}
}

func TestLoadManifestErrors(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	if _, err := LoadManifest(ctx, store, "nope"); !errors.Is(err, ErrNotExist) {
		t.Errorf("missing manifest: %v", err)
	}
	if _, err := LoadManifest(ctx, store, "a/b"); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("bad id: %v", err)
	}
	src := newFakeSource(1, 10, 61)
	m := takeAll(t, src, store, ID("one"))
	data, _ := m.encode()
	store.Set(manifestKey("two"), data)
	if _, err := LoadManifest(ctx, store, "two"); !errors.Is(err, ErrBadManifest) {
		t.Errorf("manifest under the wrong id: %v", err)
	}
	if _, err := openPartition(ctx, store, m, Partition{"orders", "zzz"}); !errors.Is(err, ErrUnknownPartition) {
		t.Errorf("OpenPartition of an unknown partition: %v", err)
	}
	if _, err := ListManifests(ctx, downStore{}); !errors.Is(err, errDown) {
		t.Errorf("ListManifests on a down store: %v", err)
	}
}

// The stored manifest is zstd-compressed JSON, several times smaller than
// the indented JSON that Encode writes; decodeManifest reads both, and
// refuses a broken frame or one that inflates past the manifest limit.
func TestManifestStoredCompressed(t *testing.T) {
	src := newFakeSource(20, 40, 62)
	m := takeAll(t, src, newMemStore(), ID("small"), smallChunks)
	stored, err := m.encode()
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	plain.Write(indentJSON(m))
	if !bytes.HasPrefix(stored, zstdMagic) || len(stored)*2 > plain.Len() {
		t.Errorf("stored manifest: %d bytes (zstd frame: %v), indented JSON %d bytes; want a frame under half the size",
			len(stored), bytes.HasPrefix(stored, zstdMagic), plain.Len())
	}
	for name, data := range map[string][]byte{"stored": stored, "plain": plain.Bytes()} {
		got, err := decodeManifest(bytes.NewReader(data))
		if err != nil || contentHash(got) != contentHash(m) {
			t.Errorf("decodeManifest(%s) = %v; content equal: %v", name, err, err == nil && contentHash(got) == contentHash(m))
		}
	}
	broken := bytes.Clone(stored)
	broken[len(broken)/2] ^= 0xff
	if _, err := decodeManifest(bytes.NewReader(broken)); !errors.Is(err, ErrBadManifest) {
		t.Errorf("decodeManifest of a damaged frame = %v, want ErrBadManifest", err)
	}
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	bomb := enc.EncodeAll(make([]byte, maxManifestSize+1), nil)
	enc.Close()
	if _, err := decodeManifest(bytes.NewReader(bomb)); !errors.Is(err, ErrBadManifest) {
		t.Errorf("decodeManifest of %d bytes inflating past the limit = %v, want ErrBadManifest", len(bomb), err)
	}
}

// indentJSON returns m as indented JSON, the plain form decodeManifest also reads.
func indentJSON(m *Manifest) []byte {
	b, err := json.MarshalIndent(toJSON(m), "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// cloneManifest returns a deep copy of m.
func cloneManifest(m *Manifest) *Manifest {
	var j manifestJSON
	if err := json.Unmarshal(indentJSON(m), &j); err != nil {
		panic(err)
	}
	return j.manifest()
}

// TestManifestChunkLimits pins the chunk size limits that validate enforces
// on both sides: sizes 1 and maxChunkSize, stored sizes 1 and 2·maxChunkSize
// are accepted; 0 and one byte past the limit are not.
func TestManifestChunkLimits(t *testing.T) {
	m := takeAll(t, newFakeSource(1, 50, 63), newMemStore(), smallChunks)
	for _, tc := range []struct {
		size, stored int64
		ok           bool
	}{
		{1, 1, true},
		{maxChunkSize, 2 * maxChunkSize, true},
		{0, 1, false},
		{maxChunkSize + 1, 1, false},
		{1, 0, false},
		{1, 2*maxChunkSize + 1, false},
	} {
		c := cloneManifest(m)
		pm := &c.Partitions[0]
		pm.Bytes += tc.size - pm.chunks[0].Size
		pm.chunks[0].Size, pm.chunks[0].Stored = tc.size, tc.stored
		err := c.validate()
		if tc.ok && err != nil || !tc.ok && (err == nil || !strings.Contains(err.Error(), "chunk 0: size")) {
			t.Errorf("validate with a chunk of size %d, stored %d = %v; want ok %v", tc.size, tc.stored, err, tc.ok)
		}
	}
}

// TestManifestEmptyPartition: validate accepts a partition of no rows, no
// bytes and no chunks whose digest is that of nothing, and no other digest.
func TestManifestEmptyPartition(t *testing.T) {
	c := cloneManifest(takeAll(t, newFakeSource(2, 50, 64), newMemStore()))
	pm := &c.Partitions[0]
	pm.Rows, pm.Bytes, pm.chunks, pm.Digest = 0, 0, nil, emptyDigest
	if err := c.validate(); err != nil {
		t.Errorf("validate of a manifest with an empty partition = %v", err)
	}
	pm.Digest[0] ^= 1
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "empty but digest") {
		t.Errorf("validate of an empty partition with a wrong digest = %v", err)
	}
}
