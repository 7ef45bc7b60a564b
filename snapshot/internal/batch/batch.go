// Package batch defines how a snapshot Store makes many new values durable
// together, more cheaply than one PutIfAbsent at a time. The directory
// store implements it; snapshot.Take uses it when the store offers it, and
// storetest checks it.
package batch

import (
	"context"
	"io"
)

// A Batcher is a Store that can make many new values durable together: a
// directory store's put waits for a file fsync and a directory fsync, while
// its batch fsyncs each file in the background as it arrives and each
// directory once, when it commits. Take writes its chunks through a batch
// and commits it before it writes the manifest, so a manifest never names a
// chunk that a crash could lose.
type Batcher interface {
	// Batch starts an empty batch.
	Batch() Batch
}

// A Batch collects content-addressed values for one store: two puts of the
// same key, in any batch or process, must carry the same bytes (as a chunk
// named by its SHA-256 does), so it does not matter which of them lands.
// A Batch is safe for concurrent use.
type Batch interface {
	// PutIfAbsent is Store.PutIfAbsent, except that the value need be
	// neither durable nor visible until Commit returns nil. A key already in
	// the store, or already put in this batch, returns an error wrapping
	// snapshot.ErrExist.
	PutIfAbsent(ctx context.Context, key string, data io.Reader) error
	// Commit makes every value put so far durable and visible, and returns
	// the keys it did not add because another writer had stored them since
	// their put. A crash or a failure during Commit leaves each value either
	// absent or whole and durable, and a later batch may put it again. After
	// Commit, the batch accepts no more puts.
	Commit(ctx context.Context) (existed []string, err error)
	// Discard drops the values that were not committed. It is safe to call
	// after Commit, and more than once.
	Discard()
}
