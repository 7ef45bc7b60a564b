package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/internal/batch"
)

// batchChecks run only on stores that implement [batch.Batcher].
var batchChecks = []check{
	{"BatchCommit", checkBatchCommit},
	{"BatchExisting", checkBatchExisting},
	{"BatchDiscard", checkBatchDiscard},
	{"BatchClosed", checkBatchClosed},
	{"BatchInvalidKeys", checkBatchInvalidKeys},
	{"BatchConcurrent", checkBatchConcurrent},
}

// batcher returns s's Batcher, or an error for a store the check cannot run on.
func batcher(s snapshot.Store) (batch.Batcher, error) {
	b, ok := s.(batch.Batcher)
	if !ok {
		return nil, errors.New("storetest: store does not implement batch.Batcher")
	}
	return b, nil
}

func checkBatchCommit(ctx context.Context, s snapshot.Store) error {
	bs, err := batcher(s)
	if err != nil {
		return err
	}
	keys := []string{"chunks/a/1", "chunks/a/2", "chunks/b/3", "top"}
	b := bs.Batch()
	defer b.Discard()
	for i, k := range keys {
		if err := b.PutIfAbsent(ctx, k, bytes.NewReader(randomBytes(uint64(i), 1000*i))); err != nil {
			return fmt.Errorf("Batch().PutIfAbsent(%q) = %v, want nil", k, err)
		}
	}
	if _, err := b.Commit(ctx); err != nil {
		return fmt.Errorf("storetest: Commit = %v, want nil", err)
	}
	for i, k := range keys {
		if err := wantValue(ctx, s, k, randomBytes(uint64(i), 1000*i)); err != nil {
			return fmt.Errorf("after Commit: %w", err)
		}
	}
	return wantList(ctx, s, "", "chunks/a/1", "chunks/a/2", "chunks/b/3", "top")
}

// A key already stored, or already put in the batch, is ErrExist; the
// stored value stays.
func checkBatchExisting(ctx context.Context, s snapshot.Store) error {
	bs, err := batcher(s)
	if err != nil {
		return err
	}
	if err := put(ctx, s, "k", []byte("first")); err != nil {
		return err
	}
	b := bs.Batch()
	defer b.Discard()
	if err := b.PutIfAbsent(ctx, "k", bytes.NewReader([]byte("second"))); !errors.Is(err, snapshot.ErrExist) {
		return fmt.Errorf("batch put of a stored key = %v, want an error wrapping ErrExist", err)
	}
	if err := b.PutIfAbsent(ctx, "n", bytes.NewReader([]byte("new"))); err != nil {
		return fmt.Errorf("batch put = %v, want nil", err)
	}
	if err := b.PutIfAbsent(ctx, "n", bytes.NewReader([]byte("new"))); !errors.Is(err, snapshot.ErrExist) {
		return fmt.Errorf("second batch put of one key = %v, want an error wrapping ErrExist", err)
	}
	if _, err := b.Commit(ctx); err != nil {
		return fmt.Errorf("storetest: Commit = %v, want nil", err)
	}
	if err := wantValue(ctx, s, "k", []byte("first")); err != nil {
		return err
	}
	return wantValue(ctx, s, "n", []byte("new"))
}

// Discard leaves nothing behind.
func checkBatchDiscard(ctx context.Context, s snapshot.Store) error {
	bs, err := batcher(s)
	if err != nil {
		return err
	}
	b := bs.Batch()
	for _, k := range []string{"d/1", "d/2"} {
		if err := b.PutIfAbsent(ctx, k, bytes.NewReader([]byte(k))); err != nil {
			return fmt.Errorf("batch put = %v, want nil", err)
		}
	}
	b.Discard()
	b.Discard()
	if err := wantMissing(ctx, s, "d/1"); err != nil {
		return fmt.Errorf("after Discard: %w", err)
	}
	return wantList(ctx, s, "")
}

// A committed or discarded batch refuses puts and a second Commit.
func checkBatchClosed(ctx context.Context, s snapshot.Store) error {
	bs, err := batcher(s)
	if err != nil {
		return err
	}
	b := bs.Batch()
	if _, err := b.Commit(ctx); err != nil {
		return fmt.Errorf("storetest: Commit of an empty batch = %v, want nil", err)
	}
	if err := b.PutIfAbsent(ctx, "late", bytes.NewReader([]byte("x"))); err == nil {
		return errors.New("put after Commit = nil, want an error")
	}
	if _, err := b.Commit(ctx); err == nil {
		return errors.New("second Commit = nil, want an error")
	}
	b.Discard()
	return wantList(ctx, s, "")
}

func checkBatchInvalidKeys(ctx context.Context, s snapshot.Store) error {
	bs, err := batcher(s)
	if err != nil {
		return err
	}
	b := bs.Batch()
	defer b.Discard()
	for _, k := range []string{"", "/abs", "a/../b", "a//b", "a/"} {
		if err := b.PutIfAbsent(ctx, k, bytes.NewReader([]byte("x"))); !errors.Is(err, snapshot.ErrInvalidKey) {
			return fmt.Errorf("batch put of key %q = %v, want an error wrapping ErrInvalidKey", k, err)
		}
	}
	return nil
}

// Racing puts of overlapping keys: every key is put by exactly one winner
// and holds its bytes after Commit.
func checkBatchConcurrent(ctx context.Context, s snapshot.Store) error {
	bs, err := batcher(s)
	if err != nil {
		return err
	}
	const writers, keys = 8, 32
	b := bs.Batch()
	defer b.Discard()
	var wg sync.WaitGroup
	wins := make([]int, keys)
	var mu sync.Mutex
	errs := make(chan error, writers*keys)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < keys; k++ {
				err := b.PutIfAbsent(ctx, fmt.Sprintf("c/%x/%d", k%4, k), bytes.NewReader(randomBytes(uint64(k), 4096)))
				switch {
				case err == nil:
					mu.Lock()
					wins[k]++
					mu.Unlock()
				case !errors.Is(err, snapshot.ErrExist):
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("racing batch put = %v", err)
	}
	if _, err := b.Commit(ctx); err != nil {
		return fmt.Errorf("storetest: Commit = %v, want nil", err)
	}
	for k, n := range wins {
		if n != 1 {
			return fmt.Errorf("key %d: %d racing batch puts succeeded, want exactly 1", k, n)
		}
		if err := wantValue(ctx, s, fmt.Sprintf("c/%x/%d", k%4, k), randomBytes(uint64(k), 4096)); err != nil {
			return err
		}
	}
	return nil
}
