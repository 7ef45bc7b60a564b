package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// chunkPipeline hashes, compresses and stores the chunks of every partition
// of one Take on worker goroutines, so that the database dump, the CPU work
// and the store's I/O overlap, also across partition boundaries. At most
// `inflight` chunks are in flight (the codec's encoders bound how many of
// them compress at once): a dump that gets ahead waits in submit. Every goroutine it starts is waited
// for by wait. The first failure cancels ctx, which stops the dumps too.
type chunkPipeline struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	store  putter
	cd     *codec
	slots  chan struct{}
	bufs   sync.Pool
	wg     sync.WaitGroup
	mu     sync.Mutex
	err    error // the first failure, a *PartitionError
}

// putter is where the pipeline writes chunks: a Store or a Batch.
type putter interface {
	PutIfAbsent(ctx context.Context, key string, data io.Reader) error
}

func newChunkPipeline(ctx context.Context, store putter, cd *codec, inflight, maxChunk int) *chunkPipeline {
	ctx, cancel := context.WithCancelCause(ctx)
	p := &chunkPipeline{ctx: ctx, cancel: cancel, store: store, cd: cd, slots: make(chan struct{}, inflight)}
	p.bufs.New = func() any { b := make([]byte, 0, maxChunk); return &b }
	return p
}

// partChunks collects one partition's chunks, in dump order.
type partChunks struct {
	p     Partition
	began time.Time
	wg    sync.WaitGroup
	jobs  []*chunkJob // appended only by the dumping goroutine
	mu    sync.Mutex
	err   error
}

// chunkJob is one chunk on its way to the store.
type chunkJob struct {
	ref   chunkRef
	isNew bool
}

// submit copies chunk b (the chunker reuses it) and stores it in the background.
func (p *chunkPipeline) submit(pc *partChunks, b []byte) error {
	select {
	case p.slots <- struct{}{}:
	case <-p.ctx.Done():
		return context.Cause(p.ctx)
	}
	data := p.bufs.Get().(*[]byte)
	*data = append((*data)[:0], b...)
	job := &chunkJob{}
	pc.jobs = append(pc.jobs, job)
	pc.wg.Add(1)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer pc.wg.Done()
		defer func() { <-p.slots }()
		defer p.bufs.Put(data)
		if err := p.storeChunk(job, *data); err != nil {
			pe := &PartitionError{Op: "take", Partition: pc.p, Err: err}
			pc.mu.Lock()
			if pc.err == nil {
				pc.err = pe
			}
			pc.mu.Unlock()
			p.mu.Lock()
			if p.err == nil && p.ctx.Err() == nil {
				p.err = pe
			}
			p.mu.Unlock()
			p.cancel(pe)
		}
	}()
	return nil
}

// storeChunk hashes, compresses and puts one chunk, filling in job.
func (p *chunkPipeline) storeChunk(job *chunkJob, b []byte) error {
	id := chunkID(b)
	cb := compBufs.Get().(*[]byte)
	defer compBufs.Put(cb)
	comp := p.cd.enc.EncodeAll(b, (*cb)[:0])
	*cb = comp
	err := p.store.PutIfAbsent(p.ctx, chunkKey(id), bytes.NewReader(comp))
	switch {
	case err == nil:
		job.isNew = true
	case errors.Is(err, ErrExist):
	default:
		return fmt.Errorf("write chunk %s: %w", id[:12], err)
	}
	job.ref = chunkRef{ID: id, Size: int64(len(b)), Stored: int64(len(comp))}
	return nil
}

// compBufs holds compression buffers for the chunk workers.
var compBufs = sync.Pool{New: func() any { return new([]byte) }}

// wait waits for every chunk and returns the first failure.
func (p *chunkPipeline) wait() error {
	p.wg.Wait()
	p.cancel(nil)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// finish waits for the partition's chunks and fills in pm's chunk list and metrics.
func (pc *partChunks) finish(pm *PartitionManifest) error {
	pc.wg.Wait()
	pc.mu.Lock()
	err := pc.err
	pc.mu.Unlock()
	if err != nil {
		return err
	}
	pm.chunks = make([]chunkRef, 0, len(pc.jobs))
	for _, job := range pc.jobs {
		if job.isNew {
			pm.NewBytes += job.ref.Stored
			pm.NewChunks++
			pm.added = append(pm.added, job.ref)
		}
		pm.StoredBytes += job.ref.Stored
		pm.chunks = append(pm.chunks, job.ref)
	}
	pm.Duration = time.Since(pc.began)
	return nil
}
