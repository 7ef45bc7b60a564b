package snapshot

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// VerifyReport says what Verify checked.
type VerifyReport struct {
	Partitions int   // partitions whose chunks were checked
	Chunks     int   // chunks read, decompressed and re-hashed
	Bytes      int64 // uncompressed bytes re-hashed
}

// A VerifyError lists every problem Verify found: [*ChunkError] for a
// missing, corrupt or unreadable chunk, [*MismatchError] for a partition
// whose chunks are sound but do not add up to its digest.
type VerifyError struct {
	Problems []error
}

// Error lists every problem Verify found.
func (e *VerifyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "snapshot: verify found %d problem(s)", len(e.Problems))
	for i, p := range e.Problems {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-5)
			break
		}
		b.WriteString("; ")
		b.WriteString(strings.TrimPrefix(p.Error(), "snapshot: "))
	}
	return b.String()
}

// Unwrap returns the problems, so errors.Is(err, ErrChunkCorrupt) and
// errors.As(err, &chunkErr) see them.
func (e *VerifyError) Unwrap() []error { return e.Problems }

// Verify re-reads the snapshot's chunks from store, decompresses and re-hashes
// them, and checks each partition's digest. It reports every missing or
// corrupt chunk by partition and chunk in a [*VerifyError]. With [Sample] it
// checks only a random fraction of the chunks (and then cannot check
// partition digests).
//
// Options: [Parallelism], [Sample], [OnProgress].
func Verify(ctx context.Context, store Store, m *Manifest, opts ...Option) (VerifyReport, error) {
	o, err := buildOptions("Verify", opts, "Parallelism", "Sample", "OnProgress")
	if err != nil {
		return VerifyReport{}, err
	}
	if store == nil || m == nil {
		return VerifyReport{}, errors.New("snapshot: Verify: nil Store or Manifest")
	}
	if err := m.validate(); err != nil {
		return VerifyReport{}, fmt.Errorf("snapshot: Verify: %w: %v", ErrBadManifest, err)
	}
	cd, err := newCodec(o.parallelism)
	if err != nil {
		return VerifyReport{}, err
	}
	defer cd.Close()
	return verifyPartitions(ctx, store, cd, m, m.Selection(), o)
}

func verifyPartitions(ctx context.Context, store Store, cd *codec, m *Manifest, sel []Partition, o options) (VerifyReport, error) {
	var (
		mu       sync.Mutex
		rep      VerifyReport
		problems []error
	)
	progress := newReporter("verify", len(sel), o.progress)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.parallelism)
	for _, p := range sel {
		pm, ok := m.Partition(p)
		if !ok {
			return rep, fmt.Errorf("snapshot: verify %s: %w", p, ErrUnknownPartition)
		}
		g.Go(func() error {
			progress.report(p, Started, 0, 0, nil)
			chunks, nbytes, probs := verifyPartition(gctx, store, cd, pm, o.sample, o.cache)
			if err := gctx.Err(); err != nil {
				return err
			}
			mu.Lock()
			rep.Partitions++
			rep.Chunks += chunks
			rep.Bytes += nbytes
			problems = append(problems, probs...)
			mu.Unlock()
			if len(probs) > 0 {
				progress.report(p, Failed, pm.Rows, pm.Bytes, probs[0])
			} else {
				progress.report(p, Done, pm.Rows, pm.Bytes, nil)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return rep, err
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problemLess(problems[i], problems[j]) })
		return rep, &VerifyError{Problems: problems}
	}
	return rep, nil
}

// verifyPartition checks one partition's chunks, all or a sampled fraction.
// Chunks that pass are offered to cache (which may be nil) for a later read.
func verifyPartition(ctx context.Context, store Store, cd *codec, pm *PartitionManifest, sample float64, cache *chunkCache) (int, int64, []error) {
	var (
		chunks int
		nbytes int64
		probs  []error
		buf    []byte
	)
	sampling := sample > 0 && sample < 1
	full := !sampling // every chunk read: the partition digest can be checked
	h := sha256.New()
	for i, ref := range pm.Chunks {
		if sampling && rand.Float64() >= sample {
			continue
		}
		if ctx.Err() != nil {
			return chunks, nbytes, nil
		}
		out, err := cd.readChunk(ctx, store, pm.Partition, i, ref, buf)
		if err != nil {
			if ctx.Err() != nil {
				return chunks, nbytes, nil
			}
			probs = append(probs, err)
			full = false // the digest cannot be checked any more
			continue
		}
		if cache.put(ref.ID, out) {
			buf = nil // the cache owns out now
		} else {
			buf = out
		}
		chunks++
		nbytes += int64(len(out))
		if full {
			h.Write(out)
		}
	}
	if full {
		var got Digest
		copy(got[:], h.Sum(nil))
		if got != pm.Digest {
			probs = append(probs, &MismatchError{Partition: pm.Partition, WantRows: pm.Rows, GotRows: pm.Rows, WantDigest: pm.Digest, GotDigest: got})
		}
	}
	return chunks, nbytes, probs
}

func problemLess(a, b error) bool {
	pa, ia := problemPos(a)
	pb, ib := problemPos(b)
	if pa != pb {
		return partitionLess(pa, pb)
	}
	return ia < ib
}

func problemPos(err error) (Partition, int) {
	var ce *ChunkError
	if errors.As(err, &ce) {
		return ce.Partition, ce.Index
	}
	var me *MismatchError
	if errors.As(err, &me) {
		return me.Partition, 1 << 30
	}
	return Partition{}, 0
}
