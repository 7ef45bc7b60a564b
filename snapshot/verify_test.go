package snapshot

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot/internal/memstore"
)

// corruptChunk flips a byte of the stored form of chunk i of partition p.
func corruptChunk(t testing.TB, store *memstore.Store, m *Manifest, p Partition, i int) chunkRef {
	t.Helper()
	pm, ok := m.Partition(p)
	if !ok || i >= len(pm.chunks) {
		t.Fatalf("no chunk %d in partition %s", i, p)
	}
	ref := pm.chunks[i]
	b := append([]byte(nil), store.Contents()[chunkKey(ref.ID)]...)
	b[len(b)/2] ^= 0x40
	store.Set(chunkKey(ref.ID), b)
	return ref
}

func TestVerifyNamesPartitionAndChunk(t *testing.T) {
	src := newFakeSource(4, 3000, 6)
	store := newMemStore()
	m := takeAll(t, src, store)
	bad := Partition{"orders", "t002"}
	ref := corruptChunk(t, store, m, bad, 0)
	missing := m.Partitions[3].chunks[0]
	store.Delete(context.Background(), chunkKey(missing.ID))

	rep, err := Verify(context.Background(), store, m)
	probs := problems(err)
	if len(probs) != 2 {
		t.Fatalf("Verify = %v, want 2 problems", err)
	}
	var ce *PartitionError
	if !errors.As(probs[0], &ce) || ce.Partition != bad || ce.Index != 0 || ce.Chunk != ref.ID || !errors.Is(ce, ErrChunkCorrupt) {
		t.Errorf("first problem = %v, want chunk 0 of %s corrupt", probs[0], bad)
	}
	if !errors.As(probs[1], &ce) || ce.Partition != m.Partitions[3].Partition || ce.Chunk == "" || !errors.Is(ce, ErrChunkMissing) {
		t.Errorf("second problem = %v, want a missing chunk of %s", probs[1], m.Partitions[3].Partition)
	}
	if !strings.Contains(err.Error(), "orders/t002 chunk 0") {
		t.Errorf("message %q does not name the partition and chunk", err)
	}
	if rep.Partitions != 4 || rep.Chunks != m.Chunks-2 {
		t.Errorf("report %+v: want 4 partitions and %d sound chunks", rep, m.Chunks-2)
	}
}

func TestVerifySample(t *testing.T) {
	src := newFakeSource(20, 2000, 7)
	store := newMemStore()
	m := takeAll(t, src, store)
	full, err := Verify(context.Background(), store, m, Sample(1))
	if err != nil || full.Chunks != m.Chunks {
		t.Fatalf("Sample(1) checked %d of %d chunks, err %v", full.Chunks, m.Chunks, err)
	}
	part, err := Verify(context.Background(), store, m, Sample(0.3))
	if err != nil || part.Chunks >= m.Chunks {
		t.Errorf("Sample(0.3) checked %d of %d chunks, err %v", part.Chunks, m.Chunks, err)
	}
	for _, f := range []float64{0, -1, 1.5} {
		if _, err := Verify(context.Background(), store, m, Sample(f)); err == nil {
			t.Errorf("Sample(%v) accepted", f)
		}
	}
}

func TestVerifyDetectsWrongDigest(t *testing.T) {
	src := newFakeSource(1, 100, 8)
	store := newMemStore()
	m := takeAll(t, src, store)
	m.Partitions[0].Digest[0] ^= 1
	// Sample(1) reads every chunk, so it checks the digest too.
	for _, opts := range [][]VerifyOption{nil, {Sample(1)}} {
		_, err := Verify(context.Background(), store, m, opts...)
		var pe *PartitionError
		if len(problems(err)) != 1 || !errors.As(err, &pe) || pe.Partition != m.Partitions[0].Partition || !errors.Is(err, ErrMismatch) {
			t.Errorf("Verify(%d options) of a manifest with a wrong digest = %v, want one mismatch of the partition", len(opts), err)
		}
	}
}

func TestVerifyStoreDown(t *testing.T) {
	src := newFakeSource(1, 100, 9)
	m := takeAll(t, src, newMemStore())
	_, err := Verify(context.Background(), downStore{}, m)
	if !errors.Is(err, errDown) {
		t.Errorf("Verify against an unreachable store = %v, want the store's error", err)
	}
}
