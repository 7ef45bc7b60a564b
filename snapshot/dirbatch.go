package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"sync"
	"syscall"

	"golang.org/x/sync/errgroup"

	"github.com/deploysafe/deploysafe/internal/durable"
	"github.com/deploysafe/deploysafe/snapshot/internal/batch"
)

// syncLimit bounds the fsyncs a batch runs at once. Concurrent fsyncs share
// journal commits and device flushes; a few dozen saturate that.
const syncLimit = 32

// pendingLimit bounds the staged files a batch holds open until their fsync:
// puts wait when the disk falls this far behind.
const pendingLimit = 256

var _ batch.Batcher = (*dirStore)(nil)

// Batch implements batch.Batcher. A put writes its value to a staging file,
// starts an fsync of it in the background and returns; Commit waits for
// those fsyncs, links each file under its key, and fsyncs each directory it
// linked into once. A value is linked only after
// its bytes are durable, so a crash at any point leaves every key either
// absent or whole, exactly as a single PutIfAbsent would. Staged files of a
// batch that is never committed are removed by Discard, or by NewDirStore a
// day later.
func (s *dirStore) Batch() batch.Batch {
	return &dirBatch{s: s, staged: map[string]string{}, dirs: map[string]bool{}, created: map[string]bool{},
		syncSem: make(chan struct{}, syncLimit), pending: make(chan struct{}, pendingLimit), syncClose: durable.SyncClose}
}

type dirBatch struct {
	s       *dirStore
	mu      sync.Mutex
	staged  map[string]string // key → staging file; "" while being written
	dirs    map[string]bool   // directories known to exist
	created map[string]bool   // parents of directories the puts created
	closed  bool

	// Staged files are fsynced in the background as they arrive, so that
	// Commit mostly waits for the last few.
	syncs   sync.WaitGroup
	syncSem chan struct{}
	pending chan struct{}
	syncErr error // the first failure, under mu
	// syncClose is durable.SyncClose; tests make it fail.
	syncClose func(*os.File) error
}

func (b *dirBatch) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	if err := b.s.checkKey(key); err != nil {
		return err
	}
	if data == nil {
		return fmt.Errorf("snapshot: dirstore: batch put %q: nil reader", key)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := b.s.root.Lstat(filepath.FromSlash(key)); err == nil {
		return b.s.existErr(key)
	}
	b.mu.Lock()
	_, dup := b.staged[key]
	closed := b.closed
	if !dup && !closed {
		b.staged[key] = ""
	}
	b.mu.Unlock()
	switch {
	case closed:
		return fmt.Errorf("snapshot: dirstore: batch put %q: batch already committed or discarded", key)
	case dup:
		return fmt.Errorf("snapshot: dirstore: batch put %q: %w", key, ErrExist)
	}
	select {
	case b.pending <- struct{}{}:
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.staged, key)
		b.mu.Unlock()
		return ctx.Err()
	}
	f, tmp, err := b.s.writeStaging(ctx, data)
	// The key's directory is made now, while the caller has other work to
	// overlap it with, rather than on Commit's critical path.
	dir := path.Dir(key)
	b.mu.Lock()
	known := b.dirs[dir]
	b.mu.Unlock()
	var created bool
	if err == nil && !known {
		created, err = b.s.ensureDir(dir)
		if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist) {
			err = fmt.Errorf("a parent of the key is itself a key: %w", ErrInvalidKey)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if created {
		for _, p := range parents(dir) {
			b.created[p] = true
		}
	}
	if err == nil && b.closed {
		err = errors.New("batch committed or discarded during the put")
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		if tmp != "" {
			b.s.root.Remove(tmp)
		}
		delete(b.staged, key)
		<-b.pending
		return fmt.Errorf("snapshot: dirstore: batch put %q: %w", key, err)
	}
	b.dirs[dir] = true
	b.staged[key] = tmp
	b.syncs.Add(1)
	go b.fsync(f)
	return nil
}

// fsync flushes and closes one staged file, recording the first failure
// for Commit.
func (b *dirBatch) fsync(f *os.File) {
	defer b.syncs.Done()
	b.syncSem <- struct{}{}
	err := b.syncClose(f)
	<-b.syncSem
	<-b.pending
	if err != nil {
		b.mu.Lock()
		if b.syncErr == nil {
			b.syncErr = err
		}
		b.mu.Unlock()
	}
}

// Commit implements batch.Batch in three steps: wait for the staged files'
// fsyncs, which the puts started; link each file under its key; fsync, in
// parallel, every directory that gained an entry or a subdirectory.
func (b *dirBatch) Commit(ctx context.Context) ([]string, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, errors.New("snapshot: dirstore: batch already committed or discarded")
	}
	b.closed = true
	byDir := map[string][][2]string{}
	for key, tmp := range b.staged {
		if tmp == "" {
			continue // its put failed or is still running: not part of the batch
		}
		byDir[path.Dir(key)] = append(byDir[path.Dir(key)], [2]string{key, tmp})
	}
	toSync := map[string]bool{}
	for d := range b.created {
		toSync[d] = true
	}
	b.mu.Unlock()
	defer b.Discard()

	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	// 1. Every staged value durable before any of them gets a name.
	b.syncs.Wait()
	b.mu.Lock()
	err := b.syncErr
	b.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("snapshot: dirstore: batch commit: %w", err)
	}
	// 2. Names: links are cheap, the puts made the directories.
	var existed []string
	for _, d := range dirs {
		ex, err := b.link(ctx, byDir[d])
		existed = append(existed, ex...)
		if err != nil {
			return nil, fmt.Errorf("snapshot: dirstore: batch commit: %w", err)
		}
		toSync[d] = true
	}
	// 3. The names durable: each directory once.
	var g errgroup.Group
	g.SetLimit(syncLimit)
	for d := range toSync {
		g.Go(func() error { return b.s.syncDir(d) })
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("snapshot: dirstore: batch commit: %w", err)
	}
	sort.Strings(existed)
	return existed, nil
}

// link links staged files under their keys and returns the keys that
// appeared since their put: they hold the same bytes (values are
// content-addressed) and stay as they are.
func (b *dirBatch) link(ctx context.Context, entries [][2]string) ([]string, error) {
	var existed []string
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return existed, err
		}
		if err := b.s.root.Link(e[1], filepath.FromSlash(e[0])); err != nil {
			if !errors.Is(err, fs.ErrExist) {
				return existed, fmt.Errorf("put %q: %w", e[0], err)
			}
			if err := b.s.existErr(e[0]); !errors.Is(err, ErrExist) {
				return existed, err
			}
			existed = append(existed, e[0])
		}
	}
	return existed, nil
}

// Discard implements batch.Batch: it removes the staging files. Keys that
// Commit linked keep their values; their staging names are merely unlinked.
func (b *dirBatch) Discard() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.syncs.Wait() // no fsync may outlive the batch
	b.mu.Lock()
	defer b.mu.Unlock()
	for key, tmp := range b.staged {
		if tmp != "" {
			b.s.root.Remove(tmp)
		}
		delete(b.staged, key)
	}
}
