package snapshot

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/deploysafe/deploysafe/snapshot/internal/batch"
)

// Take snapshots the selected partitions of src into store and returns the
// manifest. Each partition is dumped, cut into content-defined chunks, hashed
// (SHA-256) and compressed (zstd); chunks already in the store are not written
// again, so a snapshot of unchanged data adds almost nothing. The manifest is
// written last: if Take fails or is interrupted, no snapshot exists, and
// running it again (with the same [ID]) completes it.
//
// Every selected partition must exist in src: a key with no rows is
// reported as [ErrUnknownPartition], since a mistyped tenant is far likelier
// than an empty one.
func Take(ctx context.Context, src Source, store Store, selection []Partition, opts ...TakeOption) (*Manifest, error) {
	o, err := takeOptions("Take", opts)
	if err != nil {
		return nil, err
	}
	if src == nil || store == nil {
		return nil, fmt.Errorf("snapshot: Take: nil Source or Store: %w", ErrConfig)
	}
	sel, err := normalize("Take", selection)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	endTake, err := beginTake(ctx, store)
	if err != nil {
		return nil, err
	}
	defer endTake()
	tables, err := describeTables(ctx, src, sel)
	if err != nil {
		return nil, err
	}
	dump, moment, unpin := src.Dump, "", func() {}
	if pn, ok := src.(Pinner); ok {
		pinned, at, release, err := pn.Pin(ctx)
		if err != nil {
			return nil, fmt.Errorf("snapshot: Take: read one moment of the source: %w", err)
		}
		if pinned == nil || release == nil {
			return nil, errors.New("snapshot: Take: the source's Pin returned no dump or release func")
		}
		var once sync.Once
		unpin = func() { once.Do(release) }
		defer unpin()
		dump, moment = pinned, at
	}
	// Encoders bound the CPU work; the pipeline keeps more chunks in
	// flight than that, so store latency (fsyncs, round trips) overlaps
	// with hashing and compressing instead of stalling the dumps.
	workers := o.parallelism + 1
	cd, err := newCodec(workers)
	if err != nil {
		return nil, err
	}
	defer cd.Close()

	parts := make([]PartitionManifest, len(sel))
	bufs := &sync.Pool{New: func() any { return new(takeBuffers) }}
	rep := newReporter("take", len(sel), o.progress)
	// The pipeline's context, not an errgroup's (which Wait cancels), is
	// what the dumps and chunk writes run under; any failure cancels it.
	var chunks putter = store
	var bat batch.Batch
	if b, ok := store.(batch.Batcher); ok {
		bat = b.Batch()
		defer bat.Discard()
		chunks = bat
	}
	pipe := newChunkPipeline(ctx, chunks, cd, 4*workers+4, o.chunking.Max)
	// A partition that does not exist dumps no rows. Existence is judged
	// from the dump rather than by a count query up front, which would cost
	// the database a scan of every selected partition on every Take.
	var unknown unknownOnce
	var g errgroup.Group
	g.SetLimit(o.parallelism)
	// finish waits for one partition's chunks and records it.
	var fin sync.WaitGroup
	for i, p := range sel {
		g.Go(func() error {
			rep.report(p, stageStarted, 0, 0, nil)
			pm, pc, err := takePartition(pipe, dump, o.chunking, p, bufs)
			if (err != nil || pm.Rows == 0) && pipe.ctx.Err() == nil {
				// Judged once the view is closed: asking the source
				// needs a connection, and the view may hold them all.
				err = &suspect{p: p, err: err}
			}
			if err != nil {
				pipe.cancel(err)
				rep.report(p, stageFailed, 0, 0, err)
				return err
			}
			// The dump is done: free this slot for the next partition
			// while the last chunks of this one are still being stored.
			fin.Add(1)
			go func() {
				defer fin.Done()
				if err := pc.finish(&pm); err != nil {
					rep.report(p, stageFailed, 0, 0, err)
					return
				}
				parts[i] = pm
				logger{o.log}.partition("take", &pm)
				rep.report(p, stageDone, pm.Rows, pm.Bytes, nil)
			}()
			return nil
		})
	}
	gerr := g.Wait()
	perr := pipe.wait()
	fin.Wait()
	unpin()
	if gerr != nil || perr != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		var s *suspect
		if errors.As(context.Cause(pipe.ctx), &s) {
			return nil, unknown.check(ctx, src, sel, s.p, s.err)
		}
		if perr != nil {
			// A failed chunk cancels the dumps: it is the cause.
			return nil, perr
		}
		// Every failing partition cancels the pipeline with its error
		// before returning it, so the cause is the first failure; gerr
		// may be another partition's, which saw the cancellation and
		// returned to the errgroup first.
		return nil, context.Cause(pipe.ctx)
	}

	// The manifest names the chunks: they must be durable first.
	if bat != nil {
		existed, err := bat.Commit(ctx)
		if err != nil {
			return nil, fmt.Errorf("snapshot: Take: store chunks: %w", err)
		}
		uncount(parts, existed)
	}
	m := &Manifest{format: manifestFormat, Created: start.UTC(), Moment: moment, chunking: o.chunking.Name, tables: tables, Partitions: parts}
	for _, pm := range parts {
		m.Rows += pm.Rows
		m.Bytes += pm.Bytes
		m.StoredBytes += pm.StoredBytes
		m.NewBytes += pm.NewBytes
		m.Chunks += len(pm.chunks)
		m.NewChunks += pm.NewChunks
	}
	m.Duration = time.Since(start)
	m.ID = o.id
	if m.ID == "" {
		m.ID = m.Created.Format("20060102T150405Z") + "-" + contentHash(m)[:8]
	}
	m, err = putManifest(ctx, store, m)
	if err == nil {
		logger{o.log}.taken(m)
		newMeters(o.meters, o.log).taken(ctx, m, 0, time.Since(start))
	}
	return m, err
}

// uncount corrects the partitions' NewBytes and NewChunks for the chunks
// that another writer stored between this Take's put and its commit: each
// chunk is new to exactly one Take.
func uncount(parts []PartitionManifest, existed []string) {
	if len(existed) == 0 {
		return
	}
	gone := make(map[string]bool, len(existed))
	for _, k := range existed {
		gone[k] = true
	}
	for i := range parts {
		pm := &parts[i]
		for _, ref := range pm.added {
			if gone[chunkKey(ref.ID)] {
				pm.NewBytes -= ref.Stored
				pm.NewChunks--
			}
		}
		pm.added = nil
	}
}

// putManifest writes m unless its id is taken; a taken id holding the same
// data (a rerun of a Take whose manifest write did land) returns that manifest.
func putManifest(ctx context.Context, store Store, m *Manifest) (*Manifest, error) {
	data, err := m.encode()
	if err != nil {
		return nil, err
	}
	err = store.PutIfAbsent(ctx, manifestKey(m.ID), bytes.NewReader(data))
	if err == nil {
		return m, nil
	}
	if !errors.Is(err, ErrExist) {
		return nil, fmt.Errorf("snapshot: Take: write manifest %q: %w", m.ID, err)
	}
	old, lerr := LoadManifest(ctx, store, m.ID)
	if lerr != nil {
		return nil, fmt.Errorf("snapshot: Take: snapshot %q already exists and cannot be read: %w", m.ID, lerr)
	}
	if contentHash(old) != contentHash(m) {
		return nil, fmt.Errorf("snapshot: Take: snapshot %q already exists with different data: %w", m.ID, ErrExist)
	}
	// The stored manifest is the snapshot; what this run cost is its own.
	old.NewBytes, old.NewChunks, old.Duration = m.NewBytes, m.NewChunks, m.Duration
	for i := range old.Partitions {
		pm, now := &old.Partitions[i], &m.Partitions[i]
		pm.NewBytes, pm.NewChunks, pm.Duration = now.NewBytes, now.NewChunks, now.Duration
	}
	return old, nil
}

// contentHash hashes what a snapshot holds, ignoring when and how fast it was taken.
func contentHash(m *Manifest) string {
	h := sha256.New()
	for _, t := range m.tables {
		fmt.Fprintf(h, "t\x00%s\x00%s\n", t.Schema.Table, t.Fingerprint)
	}
	for _, pm := range m.Partitions {
		fmt.Fprintf(h, "p\x00%s\x00%s\x00%d\x00%x\x00", pm.Partition.Table, pm.Partition.Key, pm.Rows, pm.Digest)
		for _, c := range pm.chunks {
			fmt.Fprintf(h, "%s.", c.ID)
		}
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// suspect is a partition whose dump failed or was empty: perhaps one that
// does not exist (unknownOnce.check says).
type suspect struct {
	p   Partition
	err error
}

func (s *suspect) Error() string {
	if s.err != nil {
		return s.err.Error()
	}
	return "snapshot: Take: " + s.p.String() + ": no rows"
}

func (s *suspect) Unwrap() error { return s.err }

// dumpFunc is a Source's Dump, or a pinned view's (Pinner).
type dumpFunc func(ctx context.Context, p Partition, w io.Writer) (int64, error)

// takeBuffers are reused from partition to partition within one Take.
type takeBuffers struct {
	chunk []byte
	bw    *bufio.Writer
}

// takePartition dumps p through the partition's SHA-256 and the chunker on
// the calling goroutine, handing each chunk to pipe. It returns once the dump
// is done; the chunks may still be in flight until pc.finish.
func takePartition(pipe *chunkPipeline, dump dumpFunc, params chunkParams, p Partition, pool *sync.Pool) (PartitionManifest, *partChunks, error) {
	began := time.Now()
	pm := PartitionManifest{Partition: p}
	pc := &partChunks{p: p, began: began}
	bufs := pool.Get().(*takeBuffers)
	defer pool.Put(bufs)
	if cap(bufs.chunk) < params.Max {
		bufs.chunk = make([]byte, 0, params.Max)
	}
	ck := &chunker{p: params, buf: bufs.chunk[:0]}
	ck.emit = func(b []byte) error { return pipe.submit(pc, b) }
	dw := &dumpWriter{h: sha256.New(), next: ck}
	// Sources tend to write a row at a time; batch the writes.
	if bufs.bw == nil {
		bufs.bw = bufio.NewWriterSize(dw, 64<<10)
	}
	bufs.bw.Reset(dw)
	ctx := pipe.ctx
	rows, err := dump(ctx, p, bufs.bw)
	if err == nil {
		err = bufs.bw.Flush()
	}
	if err == nil {
		err = ck.flush()
	}
	bufs.bw.Reset(nil)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return pm, nil, &PartitionError{Op: "take", Partition: p, Err: err}
	}
	if rows != dw.lines || (dw.bytes > 0 && dw.last != '\n') {
		return pm, nil, &PartitionError{Op: "take", Partition: p, Err: fmt.Errorf(
			"%w: source reported %d rows but wrote %d newline-terminated lines", ErrBadRow, rows, dw.lines)}
	}
	pm.Rows, pm.Bytes = rows, dw.bytes
	copy(pm.Digest[:], dw.h.Sum(nil))
	return pm, pc, nil
}

// dumpWriter hashes and measures a dump on its way to the chunker.
type dumpWriter struct {
	h     hash.Hash
	next  *chunker
	bytes int64
	lines int64
	last  byte
}

func (w *dumpWriter) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	w.h.Write(b)
	w.bytes += int64(len(b))
	w.lines += int64(bytes.Count(b, []byte{'\n'}))
	w.last = b[len(b)-1]
	return w.next.Write(b)
}
