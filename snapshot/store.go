package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf8"
)

// Store holds snapshot chunks, manifests and restore journals under
// slash-separated keys such as "chunks/a/abcdef…" or "manifests/2026-11-23T….json.zst".
//
// The interface is deliberately small so that any object store can back it:
// a local directory ([DirStore]), or S3, GCS and Azure through
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

// A Batcher is a Store that can make many new values durable together, more
// cheaply than one [Store.PutIfAbsent] at a time: a [DirStore] put waits for
// a file fsync and a directory fsync, while a DirStore batch fsyncs each file
// in the background as it arrives and each directory once, when it commits.
// Take writes its chunks through a batch when the store offers one, and
// commits it before it writes the manifest, so a manifest never names a chunk
// that a crash could lose.
type Batcher interface {
	// Batch starts an empty batch.
	Batch() Batch
}

// A Batch collects content-addressed values for one store: two puts of the
// same key, in any batch or process, must carry the same bytes (as a chunk
// named by its SHA-256 does), so it does not matter which of them lands.
// A Batch is safe for concurrent use.
type Batch interface {
	// PutIfAbsent is [Store.PutIfAbsent], except that the value need be
	// neither durable nor visible until Commit returns nil. A key already in
	// the store, or already put in this batch, returns an error wrapping
	// [ErrExist].
	PutIfAbsent(ctx context.Context, key string, data io.Reader) error
	// Commit makes every value put so far durable and visible. A crash or a
	// failure during Commit leaves each value either absent or whole and
	// durable, and a later batch may put it again. After Commit, the batch
	// accepts no more puts.
	Commit(ctx context.Context) error
	// Discard drops the values that were not committed. It is safe to call
	// after Commit, and more than once.
	Discard()
}

var (
	// ErrExist reports that PutIfAbsent found the key already present.
	ErrExist = errors.New("snapshot: key already exists")
	// ErrNotExist reports that a key is not in the store.
	ErrNotExist = errors.New("snapshot: key does not exist")
	// ErrInvalidKey reports a key that is empty, absolute, not clean, or escapes
	// the store's root (for example "../x").
	ErrInvalidKey = errors.New("snapshot: invalid key")
)

// CheckKey returns an error wrapping [ErrInvalidKey] unless key is a valid
// Store key: non-empty, slash-separated, relative, clean (no ".", ".." or empty
// elements, no trailing slash), valid UTF-8, without backslashes, NUL bytes
// or "__0x" (gocloud.dev/blob's escape marker: S3 would list "a__0x41__" as
// "aA"). Every Store applies it, so a key that works on one store works on all.
func CheckKey(key string) error {
	var why string
	switch {
	case key == "":
		why = "empty"
	case strings.HasPrefix(key, "/"):
		why = "absolute"
	case strings.ContainsRune(key, '\\'):
		why = "contains a backslash"
	case strings.ContainsRune(key, 0):
		why = "contains a NUL byte"
	case !utf8.ValidString(key):
		why = "not valid UTF-8"
	case !fs.ValidPath(key) || key == ".":
		why = "not a clean relative path"
	case strings.Contains(key, "__0x"):
		why = `contains "__0x", the escape marker of gocloud.dev/blob`
	default:
		return nil
	}
	return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, why)
}
