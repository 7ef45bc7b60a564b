package snapshot

import (
	"errors"
	"fmt"

	"github.com/deploysafe/deploysafe/snapshot/internal/rowcodec"
	"github.com/deploysafe/deploysafe/snapshot/internal/storekey"
)

var (
	// ErrEmptySelection reports a call given no partitions to work on.
	ErrEmptySelection = errors.New("snapshot: empty selection")
	// ErrUnknownPartition reports a partition that the source (for Take) or
	// the manifest (for Verify, Diff, Check and Restore) does not have.
	ErrUnknownPartition = errors.New("snapshot: unknown partition")
	// ErrSchemaChanged reports that a table's schema fingerprint differs from
	// the one recorded in the manifest. Restore refuses unless given [ForceSchema].
	ErrSchemaChanged = errors.New("snapshot: schema changed since snapshot")
	// ErrChunkMissing reports a chunk the manifest names but the store lacks.
	ErrChunkMissing = errors.New("snapshot: chunk missing")
	// ErrChunkCorrupt reports a chunk whose bytes do not decode to the content
	// its id and size promise.
	ErrChunkCorrupt = errors.New("snapshot: chunk corrupt")
	// ErrMismatch reports data whose row count or digest differs from the
	// manifest: a partition dump that changed while Take read it, or a
	// restored partition that does not match its snapshot.
	ErrMismatch = errors.New("snapshot: data does not match manifest")
	// ErrBadManifest reports a manifest that does not decode or is not
	// internally consistent.
	ErrBadManifest = errors.New("snapshot: bad manifest")
	// ErrBadRow reports a row that is not valid COPY TEXT.
	ErrBadRow = rowcodec.ErrBadRow
	// ErrConfig reports an invalid option value or argument; the message
	// names the option.
	ErrConfig = errors.New("snapshot: invalid configuration")

	// ErrExist reports that PutIfAbsent found the key already present.
	ErrExist = storekey.ErrExist
	// ErrNotExist reports that a key is not in the store.
	ErrNotExist = storekey.ErrNotExist
	// ErrInvalidKey reports a key that is empty, absolute, not clean, or
	// escapes the store's root (for example "../x"). Every Store refuses
	// the same keys: slash-separated, relative, clean, valid UTF-8, without
	// backslashes, NUL bytes or "__0x" (gocloud.dev/blob's escape marker).
	ErrInvalidKey = storekey.ErrInvalid
)

// A PartitionError reports a failure that concerns one partition, and when
// a chunk of the snapshot is missing or corrupt, which one. Err wraps
// [ErrChunkMissing], [ErrChunkCorrupt], [ErrMismatch] or the cause.
type PartitionError struct {
	Op        string // "take", "verify", "restore", "diff"
	Partition Partition
	Chunk     string // id (hex SHA-256) of the chunk at fault, or ""
	Index     int    // position of that chunk within the partition
	Err       error
}

// Error names the partition (and chunk) and the failed step.
func (e *PartitionError) Error() string {
	if e.Chunk != "" {
		return fmt.Sprintf("snapshot: %s %s chunk %d (%s): %v", e.Op, e.Partition, e.Index, e.Chunk, e.Err)
	}
	return fmt.Sprintf("snapshot: %s %s: %v", e.Op, e.Partition, e.Err)
}

// Unwrap returns the underlying error.
func (e *PartitionError) Unwrap() error { return e.Err }

// mismatch reports rows and a digest that differ from the manifest's.
func mismatch(pm *PartitionManifest, rows int64, sum digest) error {
	return fmt.Errorf("%w: rows %d (want %d), digest %s (want %s)",
		ErrMismatch, rows, pm.Rows, shortHex(sum), shortHex(pm.Digest))
}
