package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func FuzzDecodeManifest(f *testing.F) {
	src := newFakeSource(2, 20, 40)
	m := takeAll(f, src, newMemStore())
	good, _ := m.encode()
	f.Add(good)
	var plain bytes.Buffer
	plain.Write(indentJSON(m))
	f.Add(plain.Bytes())
	f.Add([]byte(`{"format":1,"id":"x","partitions":[]}`))
	f.Add([]byte(`{"format":1,"id":"x","tables":[{"schema":{"Table":"t"}}]}`))
	f.Add([]byte(`null`))
	cd, err := newCodec(1)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(cd.Close)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeManifest(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrBadManifest) {
				t.Fatalf("error %v does not wrap ErrBadManifest", err)
			}
			return
		}
		// A manifest that decodes is usable: lookups work, it re-encodes to
		// an equal manifest, and Verify reports problems without panicking.
		for _, pm := range m.Partitions {
			if got, ok := m.Partition(pm.Partition); !ok || got.Partition != pm.Partition {
				t.Fatalf("Partition(%s) not found", pm.Partition)
			}
			if _, ok := m.Schema(pm.Partition.Table); !ok {
				t.Fatalf("no schema for %s", pm.Partition)
			}
		}
		enc, err := m.encode()
		if err != nil {
			t.Fatal(err)
		}
		m2, err := decodeManifest(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		a, _ := json.Marshal(m)
		b, _ := json.Marshal(m2)
		if !bytes.Equal(a, b) {
			t.Fatalf("re-decoded manifest differs")
		}
		// Verify against an empty store reports every chunk missing.
		_, err = verifyPartitions(context.Background(), newMemStore(), cd, m, m.Selection(), options{parallelism: 1})
		chunks := 0
		for _, pm := range m.Partitions {
			chunks += len(pm.chunks)
		}
		if chunks > 0 && (err == nil || strings.Count(err.Error(), "chunk missing") < chunks || !errors.Is(err, ErrChunkMissing)) {
			t.Fatalf("Verify of %d chunks in an empty store = %v", chunks, err)
		}
	})
}

func FuzzReadChunk(f *testing.F) {
	cd, err := newCodec(1)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(cd.Close)
	plain := []byte("t000\t00000001\tsku-1\t3\t\\N\n")
	stored := cd.enc.EncodeAll(plain, nil)
	f.Add(stored, int64(len(plain)))
	f.Add(stored[:len(stored)-3], int64(len(plain)))
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0}, int64(0))
	f.Add([]byte("not zstd"), int64(8))
	id := chunkID(plain)
	f.Fuzz(func(t *testing.T, data []byte, size int64) {
		store := newMemStore()
		store.Set(chunkKey(id), data)
		ref := chunkRef{ID: id, Size: size, Stored: int64(len(data))}
		out, err := cd.readChunk(context.Background(), store, Partition{"t", "k"}, 0, ref, nil)
		if err != nil {
			var pe *PartitionError
			if !errors.As(err, &pe) || pe.Chunk != id || !errors.Is(err, ErrChunkCorrupt) {
				t.Fatalf("error %v is not a corrupt ChunkError", err)
			}
			return
		}
		if !bytes.Equal(out, plain) {
			t.Fatalf("accepted a chunk that decodes to %q", out)
		}
	})
}
