package snapshot

import (
	"context"
	"io"
)

// Store holds snapshot chunks, manifests and restore journals under
// slash-separated keys such as "chunks/a/abcdef…" or "manifests/2026-11-23T….json.zst".
//
// The interface is deliberately small so that any object store can back it:
// a local directory ([NewDirStore]), or S3, GCS and Azure through
// the snapshot/blobstore package. Implementations must be safe for concurrent use.
type Store interface {
	// PutIfAbsent writes data under key unless the key already exists, in which
	// case it writes nothing and returns an error wrapping [ErrExist]. The write is
	// atomic: a reader never sees a partial value, and a crash leaves either no
	// key or the whole value.
	PutIfAbsent(ctx context.Context, key string, data io.Reader) error
	// Get opens the value stored under key. A missing key returns an error
	// wrapping [ErrNotExist]. The caller closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// List returns every key that starts with prefix, in lexical order.
	List(ctx context.Context, prefix string) ([]string, error)
	// Delete removes key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}
