package snapshot

import (
	"context"
	"sync"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot/internal/batch"
)

// TestRetakeReportsItsOwnNewBytes: a Take rerun under the same id writes no
// chunk, and must say so, not repeat the first run's figures.
func TestRetakeReportsItsOwnNewBytes(t *testing.T) {
	src := newFakeSource(3, 500, 31)
	store := newMemStore()
	first := takeAll(t, src, store, ID("same"))
	if first.NewBytes == 0 || first.NewChunks == 0 {
		t.Fatalf("first Take wrote nothing: %+v", first)
	}
	again := takeAll(t, src, store, ID("same"))
	if again.NewBytes != 0 || again.NewChunks != 0 {
		t.Errorf("rerun reports NewBytes %d, NewChunks %d; want 0, 0 (every chunk was stored)", again.NewBytes, again.NewChunks)
	}
	for _, pm := range again.Partitions {
		if pm.NewBytes != 0 || pm.NewChunks != 0 {
			t.Errorf("rerun partition %s reports NewBytes %d, NewChunks %d", pm.Partition, pm.NewBytes, pm.NewChunks)
		}
	}
	if again.ID != first.ID || again.Chunks != first.Chunks || again.StoredBytes != first.StoredBytes {
		t.Errorf("rerun manifest %+v differs from the first %+v in what it holds", again, first)
	}
}

// barrierStore holds every batch's Commit until n batches have reached
// it: each Take has then put all its chunks, none yet visible to the other.
type barrierStore struct {
	*dirStore
	arrive sync.WaitGroup
}

func (s *barrierStore) Batch() batch.Batch { return &barrierBatch{Batch: s.dirStore.Batch(), s: s} }

type barrierBatch struct {
	batch.Batch
	s *barrierStore
}

func (b *barrierBatch) Commit(ctx context.Context) ([]string, error) {
	b.s.arrive.Done()
	b.s.arrive.Wait()
	return b.Batch.Commit(ctx)
}

// TestConcurrentTakesCountNewChunksOnce: two Takes of the same data racing
// into one directory store both put every chunk; only one of them adds
// each, and the two manifests' NewChunks and NewBytes must add up to what
// the store holds.
func TestConcurrentTakesCountNewChunksOnce(t *testing.T) {
	src := newFakeSource(3, 500, 32)
	ds := newTestDirStore(t)
	store := &barrierStore{dirStore: ds}
	store.arrive.Add(2)
	var wg sync.WaitGroup
	ms := make([]*Manifest, 2)
	errs := make([]error, 2)
	for i, id := range []string{"a", "b"} {
		wg.Go(func() { ms[i], errs[i] = Take(context.Background(), src, store, src.partitions(), ID(id)) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	chunks, err := ds.List(context.Background(), "chunks/")
	if err != nil {
		t.Fatal(err)
	}
	var stored int64
	for _, pm := range ms[0].Partitions {
		stored += pm.StoredBytes
	}
	if got := ms[0].NewChunks + ms[1].NewChunks; got != len(chunks) {
		t.Errorf("NewChunks %d + %d = %d, but the store holds %d chunks", ms[0].NewChunks, ms[1].NewChunks, got, len(chunks))
	}
	if got := ms[0].NewBytes + ms[1].NewBytes; got != stored {
		t.Errorf("NewBytes %d + %d = %d, want %d (the chunks' stored size)", ms[0].NewBytes, ms[1].NewBytes, got, stored)
	}
}
