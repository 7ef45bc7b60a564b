package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/internal/batch"
)

// batchStore is mapStore with a correct in-memory Batch; its flags break
// the batch on purpose.
type batchStore struct {
	*mapStore
	leaks   bool // puts land in the store at once and survive Discard
	loses   bool // Commit drops the last value put
	noDedup bool // existing and repeated keys are not ErrExist
}

func (s *batchStore) Batch() batch.Batch { return &mapBatch{s: s, vals: map[string][]byte{}} }

type mapBatch struct {
	s      *batchStore
	mu     sync.Mutex
	vals   map[string][]byte
	order  []string
	closed bool
}

func (b *mapBatch) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	if err := b.s.check(ctx, key); err != nil {
		return err
	}
	if b.s.leaks {
		return b.s.mapStore.PutIfAbsent(ctx, key, data)
	}
	v, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errors.New("batch closed")
	}
	b.s.mu.Lock()
	_, stored := b.s.m[key]
	b.s.mu.Unlock()
	if _, dup := b.vals[key]; (dup || stored) && !b.s.noDedup {
		return fmt.Errorf("put %q: %w", key, snapshot.ErrExist)
	}
	b.vals[key] = v
	b.order = append(b.order, key)
	return nil
}

func (b *mapBatch) Commit(ctx context.Context) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("batch closed")
	}
	b.closed = true
	if b.s.loses && len(b.order) > 0 {
		delete(b.vals, b.order[len(b.order)-1])
	}
	for k, v := range b.vals {
		if err := b.s.mapStore.PutIfAbsent(ctx, k, bytes.NewReader(v)); err != nil && !errors.Is(err, snapshot.ErrExist) {
			return nil, err
		}
		if b.s.noDedup {
			b.s.mu.Lock()
			b.s.m[k] = v
			b.s.mu.Unlock()
		}
	}
	return nil, nil
}

func (b *mapBatch) Discard() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.vals = nil
}

func TestReferenceBatchStorePasses(t *testing.T) {
	TestStore(t, func(testing.TB) snapshot.Store { return &batchStore{mapStore: &mapStore{m: map[string][]byte{}}} })
}

func TestSuiteCatchesBrokenBatches(t *testing.T) {
	cases := []struct {
		name  string
		store *batchStore
		fails []string
	}{
		{"leaks", &batchStore{leaks: true}, []string{"BatchDiscard", "BatchClosed"}},
		{"loses", &batchStore{loses: true}, []string{"BatchCommit", "BatchExisting", "BatchConcurrent"}},
		{"noDedup", &batchStore{noDedup: true}, []string{"BatchExisting", "BatchConcurrent"}},
	}
	for _, c := range cases {
		for _, name := range c.fails {
			ck := find(t, name)
			c.store.mapStore = &mapStore{m: map[string][]byte{}}
			if err := ck.run(context.Background(), c.store); err == nil {
				t.Errorf("check %s passed a batch that %s, want a failure", name, c.name)
			}
		}
	}
}

// A store without Batch gets a clear error from a batch check, not a panic.
func TestBatchCheckOnPlainStore(t *testing.T) {
	err := checkBatchCommit(context.Background(), &mapStore{m: map[string][]byte{}})
	if err == nil {
		t.Fatal("batch check on a store without Batch passed")
	}
}
