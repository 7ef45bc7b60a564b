package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
)

// openPartition streams partition p of snapshot m from store in the
// canonical encoding, checking every chunk's hash as it goes and the whole
// partition's row count and digest at the end: a reader that reaches io.EOF
// has delivered exactly the rows that were snapshotted. Wrap it in
// [NewRowReader] to decode rows. The caller closes it.
func openPartition(ctx context.Context, store Store, m *Manifest, p Partition) (io.ReadCloser, error) {
	if store == nil || m == nil {
		return nil, errors.New("snapshot: openPartition: nil Store or Manifest")
	}
	pm, ok := m.Partition(p)
	if !ok {
		return nil, fmt.Errorf("snapshot: openPartition: partition %s is not in snapshot %s: %w", p, m.ID, ErrUnknownPartition)
	}
	cd, err := newCodec(1)
	if err != nil {
		return nil, err
	}
	pr := newPartitionReader(ctx, store, cd, pm)
	pr.closeCodec = true
	return pr, nil
}

// partitionReader reads a partition's chunks in order, verifying as it goes.
type partitionReader struct {
	ctx        context.Context
	store      Store
	cd         *codec
	pm         *PartitionManifest
	next       int
	buf, cur   []byte
	h          hash.Hash
	rows       int64
	read       int64 // bytes delivered
	err        error
	closeCodec bool
	cache      *chunkCache // verified chunks; may be nil
}

func newPartitionReader(ctx context.Context, store Store, cd *codec, pm *PartitionManifest) *partitionReader {
	return &partitionReader{ctx: ctx, store: store, cd: cd, pm: pm, h: sha256.New()}
}

func (r *partitionReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.next == len(r.pm.chunks) {
			r.err = r.finish()
			return 0, r.err
		}
		ref := r.pm.chunks[r.next]
		out, ok := r.cache.get(ref)
		if !ok {
			var err error
			out, err = r.cd.readChunk(r.ctx, r.store, r.pm.Partition, r.next, ref, r.buf)
			if err != nil {
				r.err = err
				return 0, err
			}
			r.buf = out
		}
		r.next++
		r.cur = out
		r.h.Write(out)
		r.rows += int64(bytes.Count(out, []byte{'\n'}))
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	r.read += int64(n)
	return n, nil
}

// Len is the number of bytes the manifest says are left to read, as
// bytes.Reader's: a size hint for a consumer that buffers the partition
// (sqlsource's Replace), which saves it growing a buffer chunk by chunk.
// A reader that reaches io.EOF has checked that the hint was exact.
func (r *partitionReader) Len() int {
	return int(max(0, r.pm.Bytes-r.read))
}

func (r *partitionReader) finish() error {
	var got digest
	copy(got[:], r.h.Sum(nil))
	if got != r.pm.Digest || r.rows != r.pm.Rows {
		return mismatch(r.pm, r.rows, got)
	}
	return io.EOF
}

func (r *partitionReader) Close() error {
	if r.closeCodec {
		r.cd.Close()
		r.closeCodec = false
	}
	if r.err == nil {
		r.err = errors.New("snapshot: partition reader closed")
	}
	r.cur = nil // what is left of the current chunk is not served either
	return nil
}
