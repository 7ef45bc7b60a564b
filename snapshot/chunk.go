package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// A chunkRef names one chunk of a partition's dump.
type chunkRef struct {
	ID     string `json:"id"`     // lowercase hex SHA-256 of the uncompressed bytes
	Size   int64  `json:"size"`   // uncompressed bytes
	Stored int64  `json:"stored"` // compressed bytes in the store
}

// maxChunkSize bounds every chunk, so that reading one never needs more memory.
const maxChunkSize = 4 << 20

// chunkParams configure the content-defined chunker: a cut falls where a gear
// hash of the last 64 bytes has mask bits zero, but never before min bytes and
// always at max. The mask takes high bits, which depend on all 64 bytes (low
// bits see only the last few). Fixed-size chunking is mask == 0 (cut at max only).
type chunkParams struct {
	Min, Max int
	Mask     uint64
	Name     string // recorded in the manifest
}

var defaultChunking = chunkParams{Min: 32 << 10, Max: 512 << 10, Mask: highBits(17), Name: "gear-v1/32K/128K/512K"}

// highBits returns a mask of the n highest bits: a cut point then occurs
// once every 2^n bytes on average.
func highBits(n int) uint64 { return ^uint64(0) << (64 - n) }

// gear is a fixed table of 256 pseudo-random words (splitmix64, seed 0). It
// must never change: chunk boundaries, and so deduplication, depend on it.
var gear = func() (t [256]uint64) {
	var x uint64
	for i := range t {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		t[i] = z ^ z>>31
	}
	return t
}()

// chunker is an io.Writer that cuts its input into content-defined chunks
// and hands each to emit. Call flush after the last Write.
type chunker struct {
	p    chunkParams
	buf  []byte
	h    uint64
	emit func([]byte) error
}

func (c *chunker) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		cut := -1
		need := c.p.Max - len(c.buf)
		limit := min(len(b), need)
		if c.p.Mask != 0 {
			// Bytes before Min-64 cannot influence the hash at a legal cut.
			start := min(limit, max(0, c.p.Min-64-len(c.buf)))
			// Before Min no cut is legal: roll the hash without testing it.
			warm := min(limit, max(start, c.p.Min-1-len(c.buf)))
			h := c.h
			for _, x := range b[start:warm] {
				h = h<<1 + gear[x]
			}
			mask := c.p.Mask
			for i, x := range b[warm:limit] {
				h = h<<1 + gear[x]
				if h&mask == 0 {
					cut = warm + i + 1
					break
				}
			}
			c.h = h
		}
		if cut < 0 && limit == need {
			cut = limit
		}
		if cut < 0 {
			c.buf = append(c.buf, b...)
			return n, nil
		}
		c.buf = append(c.buf, b[:cut]...)
		b = b[cut:]
		if err := c.emit(c.buf); err != nil {
			return n - len(b), err
		}
		c.buf, c.h = c.buf[:0], 0
	}
	return n, nil
}

func (c *chunker) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	err := c.emit(c.buf)
	c.buf, c.h = c.buf[:0], 0
	return err
}

// chunkKey returns the store key of a chunk: "chunks/a/abcdef…". Sixteen
// directories rather than 256: each new directory costs an inode and two
// fsyncs in a DirStore, and a first snapshot would create nearly one per
// chunk, while ext4, XFS and object stores keep millions of keys per
// directory or prefix without trouble.
func chunkKey(id string) string { return "chunks/" + id[:1] + "/" + id }

func validChunkID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func chunkID(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// codec compresses and decompresses chunks. One codec serves a whole call:
// zstd encoders and decoders are costly to create and safe to share for
// EncodeAll/DecodeAll. Close releases it.
type codec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newCodec(parallelism int) (*codec, error) {
	// A window of 1 MiB covers a whole default chunk (≤ 512 KiB); the 8 MiB
	// default would make every encoder allocate and clear far more than a chunk.
	// No frame checksum: every chunk is checked against its SHA-256 once
	// decoded, and a second hash of every byte is CPU for nothing.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(parallelism), zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithWindowSize(1<<20), zstd.WithLowerEncoderMem(true), zstd.WithEncoderCRC(false))
	if err != nil {
		return nil, fmt.Errorf("snapshot: zstd encoder: %w", err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(parallelism), zstd.WithDecoderMaxMemory(maxChunkSize+1), zstd.WithDecoderMaxWindow(maxChunkSize+1))
	if err != nil {
		enc.Close()
		return nil, fmt.Errorf("snapshot: zstd decoder: %w", err)
	}
	return &codec{enc: enc, dec: dec}, nil
}

func (c *codec) Close() {
	c.enc.Close()
	c.dec.Close()
}

// decodeChunk decompresses a stored chunk and checks it against ref: size
// and SHA-256. Any failure wraps ErrChunkCorrupt.
func (c *codec) decodeChunk(stored []byte, ref chunkRef, dst []byte) ([]byte, error) {
	if ref.Size < 0 || ref.Size > maxChunkSize {
		return nil, fmt.Errorf("%w: size %d out of range", ErrChunkCorrupt, ref.Size)
	}
	out, err := c.dec.DecodeAll(stored, dst[:0])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrChunkCorrupt, err)
	}
	if int64(len(out)) != ref.Size {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrChunkCorrupt, len(out), ref.Size)
	}
	if got := chunkID(out); got != ref.ID {
		return nil, fmt.Errorf("%w: content hashes to %s", ErrChunkCorrupt, got[:12])
	}
	return out, nil
}

// readChunk fetches and checks one chunk. Errors are *PartitionError naming the chunk.
func (c *codec) readChunk(ctx context.Context, store Store, p Partition, i int, ref chunkRef, dst []byte) ([]byte, error) {
	cerr := func(err error) error {
		return &PartitionError{Op: "read", Partition: p, Index: i, Chunk: ref.ID, Err: err}
	}
	if !validChunkID(ref.ID) {
		return nil, cerr(fmt.Errorf("%w: invalid id", ErrChunkCorrupt))
	}
	rc, err := store.Get(ctx, chunkKey(ref.ID))
	if errors.Is(err, ErrNotExist) {
		return nil, cerr(fmt.Errorf("%w: %w", ErrChunkMissing, err))
	}
	if err != nil {
		return nil, cerr(err)
	}
	defer rc.Close()
	var stored bytes.Buffer
	if ref.Stored > 0 && ref.Stored <= maxChunkSize*2 {
		stored.Grow(int(ref.Stored))
	}
	// A compressed chunk larger than twice the limit cannot be valid.
	if _, err := stored.ReadFrom(io.LimitReader(rc, maxChunkSize*2+1)); err != nil {
		return nil, cerr(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, err := c.decodeChunk(stored.Bytes(), ref, dst)
	if err != nil {
		return nil, cerr(err)
	}
	return out, nil
}
