package snapshot

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// VerifyReport says what Verify checked.
type VerifyReport struct {
	Partitions int   // partitions whose chunks were checked
	Chunks     int   // chunks read, decompressed and re-hashed
	Bytes      int64 // uncompressed bytes re-hashed
	// With [Rehearsal]: the partitions restored into scratch tables whose
	// row count and digest matched the manifest there.
	Rehearsed int
	Duration  time.Duration // how long Verify took: what a restore costs, with Rehearsal
}

// Verify re-reads the snapshot's chunks from store, decompresses and re-hashes
// them, and checks each partition's digest. It reports every missing or
// corrupt chunk as a [*PartitionError] that names the chunk, every
// problem joined into one error (errors.Is and errors.As see each). With
// [Sample] it checks only a random fraction of the chunks (and then cannot
// check partition digests).
func Verify(ctx context.Context, store Store, m *Manifest, opts ...VerifyOption) (VerifyReport, error) {
	o, err := verifyOptions("Verify", opts)
	if err != nil {
		return VerifyReport{}, err
	}
	if store == nil || m == nil {
		return VerifyReport{}, fmt.Errorf("snapshot: Verify: nil Store or Manifest: %w", ErrConfig)
	}
	if err := m.validate(); err != nil {
		return VerifyReport{}, fmt.Errorf("snapshot: Verify: %w: %v", ErrBadManifest, err)
	}
	cd, err := newCodec(o.parallelism)
	if err != nil {
		return VerifyReport{}, err
	}
	defer cd.Close()
	began := time.Now()
	var rep VerifyReport
	if o.scratch != nil {
		rep, err = rehearse(ctx, o.scratch, store, cd, m, o)
	} else {
		rep, err = verifyPartitions(ctx, store, cd, m, m.Selection(), o)
	}
	rep.Duration = time.Since(began)
	op := "verify"
	if o.scratch != nil {
		op = "rehearse"
	}
	newMeters(o.meters, o.log).verified(ctx, op, rep, len(problems(err)))
	if err != nil {
		logger{o.log}.damage(m.ID, err)
	} else {
		logger{o.log}.verified(m.ID, rep)
	}
	return rep, err
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
			progress.report(p, stageStarted, 0, 0, nil)
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
				progress.report(p, stageFailed, pm.Rows, pm.Bytes, probs[0])
			} else {
				progress.report(p, stageDone, pm.Rows, pm.Bytes, nil)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return rep, err
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problemLess(problems[i], problems[j]) })
		return rep, fmt.Errorf("snapshot: verify found %d problem(s): %w", len(problems), errors.Join(problems...))
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
	for i, ref := range pm.chunks {
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
		var got digest
		copy(got[:], h.Sum(nil))
		if got != pm.Digest {
			probs = append(probs, &PartitionError{Op: "verify", Partition: pm.Partition, Err: mismatch(pm, pm.Rows, got)})
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
	var pe *PartitionError
	if !errors.As(err, &pe) {
		return Partition{}, 0
	}
	if pe.Chunk == "" {
		return pe.Partition, 1 << 30 // a digest mismatch: after its chunks
	}
	return pe.Partition, pe.Index
}

// problems returns the errors joined in err, one per problem found.
func problems(err error) []error {
	for err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			return j.Unwrap()
		}
		err = errors.Unwrap(err)
	}
	return nil
}
