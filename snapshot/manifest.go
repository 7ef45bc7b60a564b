package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
	"github.com/klauspost/compress/zstd"
)

// manifestFormat is the manifest format version that this package writes;
// it reads it and binaryKeysFormat.
const manifestFormat = 1

// binaryKeysFormat marks a manifest with a key that is not valid UTF-8,
// written as base64 (see jsonPartition): a reader that knows only format 1
// refuses it instead of reading the wrong key.
const binaryKeysFormat = 2

// maxManifestSize bounds how much decodeManifest reads.
const maxManifestSize = 256 << 20

// A Manifest describes one snapshot: what was taken, from which schema, and
// where its bytes are. Take writes it to the store last, under
// "manifests/<ID>.json.zst" (zstd-compressed JSON), so a snapshot either has
// a complete manifest or does not exist.
type Manifest struct {
	ID      string
	Created time.Time
	// Moment is the one database snapshot every partition was read from,
	// as the Source names it ([Pinner]); empty when the Source reads each
	// partition on its own.
	Moment     string
	Partitions []PartitionManifest // sorted by table, then key
	// Totals over the partitions. StoredBytes are compressed; NewBytes and
	// NewChunks are what the Take that returned the manifest added to the
	// store (chunks not already there), Duration how long it took.
	Rows, Bytes, StoredBytes, NewBytes int64
	Chunks, NewChunks                  int
	Duration                           time.Duration

	format   int
	chunking string // chunker that cut the dumps
	tables   []tableSchema
}

// tableSchema is a table's schema as it was when the snapshot was taken.
type tableSchema struct {
	Schema      Schema
	Fingerprint string // Schema.fingerprint()
}

// PartitionManifest describes one partition of a snapshot.
type PartitionManifest struct {
	Partition Partition
	Rows      int64
	Bytes     int64             // canonical dump size, uncompressed
	Digest    [sha256.Size]byte // SHA-256 of the whole canonical dump
	// What taking the partition cost: the compressed size of its chunks,
	// the compressed bytes and chunks that Take added to the store, and
	// how long it took.
	StoredBytes, NewBytes int64
	NewChunks             int
	Duration              time.Duration

	chunks []chunkRef // in dump order
	added  []chunkRef // the chunks this Take counted as new, until its batch commits
}

// Partition returns the entry for p, if the snapshot has it.
func (m *Manifest) Partition(p Partition) (*PartitionManifest, bool) {
	i := sort.Search(len(m.Partitions), func(i int) bool { return !partitionLess(m.Partitions[i].Partition, p) })
	if i < len(m.Partitions) && m.Partitions[i].Partition == p {
		return &m.Partitions[i], true
	}
	return nil, false
}

// Schema returns the schema that table had when the snapshot was taken.
func (m *Manifest) Schema(table string) (Schema, bool) {
	for _, t := range m.tables {
		if t.Schema.Table == table {
			return t.Schema, true
		}
	}
	return Schema{}, false
}

// Selection returns every partition in the snapshot, sorted.
func (m *Manifest) Selection() []Partition {
	s := make([]Partition, len(m.Partitions))
	for i, p := range m.Partitions {
		s[i] = p.Partition
	}
	return s
}

func partitionLess(a, b Partition) bool {
	if a.Table != b.Table {
		return a.Table < b.Table
	}
	return a.Key < b.Key
}

// manifestSuffix ends every manifest key. The manifest is compressed: most of
// it is field names and hex chunk ids, and uncompressed it would be more than
// all the new chunks of a re-snapshot of unchanged data.
const manifestSuffix = ".json.zst"

func manifestKey(id string) string { return "manifests/" + id + manifestSuffix }

// LoadManifest reads and validates the manifest of snapshot id from store.
func LoadManifest(ctx context.Context, store Store, id string) (*Manifest, error) {
	if store == nil {
		return nil, errors.New("snapshot: LoadManifest: nil Store")
	}
	if err := validID(id); err != nil {
		return nil, fmt.Errorf("snapshot: LoadManifest(%q): %w", id, err)
	}
	rc, err := store.Get(ctx, manifestKey(id))
	if err != nil {
		return nil, fmt.Errorf("snapshot: LoadManifest(%q): %w", id, err)
	}
	defer rc.Close()
	m, err := decodeManifest(rc)
	if err != nil {
		return nil, fmt.Errorf("snapshot: LoadManifest(%q): %w", id, err)
	}
	if m.ID != id {
		return nil, fmt.Errorf("snapshot: LoadManifest(%q): %w: it holds id %q", id, ErrBadManifest, m.ID)
	}
	return m, nil
}

// ListManifests returns the ids of the snapshots in store, sorted.
func ListManifests(ctx context.Context, store Store) ([]string, error) {
	if store == nil {
		return nil, errors.New("snapshot: ListManifests: nil Store")
	}
	keys, err := store.List(ctx, "manifests/")
	if err != nil {
		return nil, fmt.Errorf("snapshot: ListManifests: %w", err)
	}
	var ids []string
	for _, k := range keys {
		id, ok := strings.CutSuffix(strings.TrimPrefix(k, "manifests/"), manifestSuffix)
		if ok && validID(id) == nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// decodeManifest reads a manifest, as stored (zstd-compressed JSON) or as
// plain JSON, and checks that it is complete and consistent. Errors wrap
// [ErrBadManifest].
func decodeManifest(r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrBadManifest, err)
	}
	if len(data) > maxManifestSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrBadManifest, maxManifestSize)
	}
	if bytes.HasPrefix(data, zstdMagic) {
		if data, err = manifestDecoder().DecodeAll(data, nil); err != nil {
			return nil, fmt.Errorf("%w: decompress: %v", ErrBadManifest, err)
		}
	}
	var j manifestJSON
	if err := json.Unmarshal(data, &j); err != nil {
		if errors.Is(err, ErrBadManifest) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrBadManifest, err)
	}
	m := j.manifest()
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadManifest, err)
	}
	return m, nil
}

var emptyDigest = digest(sha256.Sum256(nil))

func (m *Manifest) validate() error {
	if m.format != manifestFormat && m.format != binaryKeysFormat {
		return fmt.Errorf("format %d, this package reads %d and %d", m.format, manifestFormat, binaryKeysFormat)
	}
	if err := validID(m.ID); err != nil {
		return fmt.Errorf("id %q: %v", clip.String(m.ID), err)
	}
	tables := make(map[string]bool, len(m.tables))
	for _, t := range m.tables {
		if _, err := t.Schema.validate(); err != nil {
			return err
		}
		if tables[t.Schema.Table] {
			return fmt.Errorf("table %q listed twice", t.Schema.Table)
		}
		tables[t.Schema.Table] = true
		if fp := t.Schema.fingerprint(); fp != t.Fingerprint {
			return fmt.Errorf("table %q: fingerprint %q does not match its schema (%s)", t.Schema.Table, clip.String(t.Fingerprint), fp)
		}
	}
	if len(m.Partitions) == 0 {
		return errors.New("no partitions")
	}
	for i, pm := range m.Partitions {
		p := pm.Partition
		if !tables[p.Table] {
			return fmt.Errorf("partition %s: table not described", p)
		}
		if i > 0 && !partitionLess(m.Partitions[i-1].Partition, p) {
			return fmt.Errorf("partition %s: not sorted or listed twice", p)
		}
		if pm.Rows < 0 || pm.Bytes < 0 || (pm.Rows == 0) != (pm.Bytes == 0) {
			return fmt.Errorf("partition %s: %d rows in %d bytes", p, pm.Rows, pm.Bytes)
		}
		if pm.Bytes == 0 && pm.Digest != emptyDigest {
			return fmt.Errorf("partition %s: empty but digest %s", p, shortHex(pm.Digest))
		}
		var sum int64
		for j, c := range pm.chunks {
			if !validChunkID(c.ID) {
				return fmt.Errorf("partition %s chunk %d: invalid id %q", p, j, clip.String(c.ID))
			}
			if c.Size <= 0 || c.Size > maxChunkSize || c.Stored <= 0 || c.Stored > 2*maxChunkSize {
				return fmt.Errorf("partition %s chunk %d: size %d, stored %d", p, j, c.Size, c.Stored)
			}
			sum += c.Size
		}
		if sum != pm.Bytes {
			return fmt.Errorf("partition %s: chunks hold %d bytes, want %d", p, sum, pm.Bytes)
		}
	}
	return nil
}

// encode returns the manifest's stored form: compact JSON, compressed.
func (m *Manifest) encode() ([]byte, error) {
	b, err := json.Marshal(toJSON(m))
	if err != nil {
		return nil, fmt.Errorf("snapshot: encode manifest: %w", err)
	}
	return manifestEncoder().EncodeAll(b, nil), nil
}

// zstdMagic starts every zstd frame (RFC 8878), and never a JSON text.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// The manifest codecs are made once per process and shared: EncodeAll and
// DecodeAll are safe for concurrent use. The decoder's limit is the
// manifest's, so a small hostile frame cannot claim gigabytes.
var (
	manifestEncoder = sync.OnceValue(func() *zstd.Encoder {
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression), zstd.WithEncoderConcurrency(1))
		if err != nil {
			panic(err) // only invalid options fail, and these are fixed
		}
		return enc
	})
	manifestDecoder = sync.OnceValue(func() *zstd.Decoder {
		dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxManifestSize))
		if err != nil {
			panic(err)
		}
		return dec
	})
)
