package snapshot

import (
	"errors"
	"fmt"
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
	ErrBadRow = errors.New("snapshot: bad row encoding")
)

// A PartitionError reports a failure that concerns one partition.
type PartitionError struct {
	Op        string // "take", "verify", "restore", "diff", "check"
	Partition Partition
	Err       error
}

// Error names the partition and the failed step.
func (e *PartitionError) Error() string {
	return fmt.Sprintf("snapshot: %s %s: %v", e.Op, e.Partition, e.Err)
}

// Unwrap returns the underlying error.
func (e *PartitionError) Unwrap() error { return e.Err }

// A ChunkError names the exact partition and chunk that is missing or
// corrupt. Err wraps [ErrChunkMissing], [ErrChunkCorrupt], or the store's
// error when the chunk could not be read at all.
type ChunkError struct {
	Partition Partition
	Index     int    // position of the chunk within the partition
	Chunk     string // chunk id (hex SHA-256 of its uncompressed bytes)
	Err       error
}

// Error names the partition and chunk that are missing or corrupt.
func (e *ChunkError) Error() string {
	return fmt.Sprintf("snapshot: partition %s chunk %d (%s): %v", e.Partition, e.Index, e.Chunk, e.Err)
}

// Unwrap returns the underlying error.
func (e *ChunkError) Unwrap() error { return e.Err }

// A SchemaError reports a table whose current schema fingerprint differs from
// the manifest's. It wraps [ErrSchemaChanged].
type SchemaError struct {
	Table       string
	Snapshot    string // fingerprint recorded in the manifest
	Current     string // fingerprint of the source's schema now
	Differences string // human-readable difference
}

// Error names the table whose schema changed since the snapshot.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("snapshot: table %q: schema changed since snapshot (fingerprint %s, now %s): %s",
		e.Table, e.Snapshot, e.Current, e.Differences)
}

// Unwrap returns [ErrSchemaChanged].
func (e *SchemaError) Unwrap() error { return ErrSchemaChanged }

// A MismatchError reports a row count or digest that differs from what the
// manifest recorded. It wraps [ErrMismatch].
type MismatchError struct {
	Partition  Partition
	WantRows   int64
	GotRows    int64
	WantDigest Digest
	GotDigest  Digest
}

// Error says what differs from the manifest.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("snapshot: partition %s does not match manifest: rows %d (want %d), digest %s (want %s)",
		e.Partition, e.GotRows, e.WantRows, e.GotDigest.short(), e.WantDigest.short())
}

// Unwrap returns [ErrMismatch].
func (e *MismatchError) Unwrap() error { return ErrMismatch }
