package snapshot

import (
	"context"
	"fmt"
)

// replacePartition pauses p and replaces it atomically.
func replacePartition(ctx context.Context, src Source, store Store, cd *codec, cache *chunkCache, pm *PartitionManifest, o options) error {
	p := pm.Partition
	if o.pause != nil {
		if err := o.pause(ctx, p); err != nil {
			return fmt.Errorf("pause: %w", err)
		}
	}
	r := newPartitionReader(ctx, store, cd, pm)
	r.cache = cache
	err := src.Replace(ctx, p, r, func(rows int64, sum Digest) error {
		if rows != pm.Rows || sum != pm.Digest {
			return &MismatchError{Partition: p, WantRows: pm.Rows, GotRows: rows, WantDigest: pm.Digest, GotDigest: sum}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	return nil
}

// finishPartition journals a replaced partition, then resumes it.
func finishPartition(ctx context.Context, j *journal, pm *PartitionManifest, o options) error {
	p := pm.Partition
	// The partition is restored. Journal it before resuming, so a rerun
	// never restores it again over writes made after the resume.
	if err := j.markDone(ctx, pm); err != nil {
		return fmt.Errorf("restored, but not journaled (a rerun will restore it again): %w", err)
	}
	if o.resume != nil {
		if err := o.resume(ctx, p); err != nil {
			return fmt.Errorf("restored and journaled, but resume failed (resume it by hand): %w", err)
		}
	}
	return nil
}
