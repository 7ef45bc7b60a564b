package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/snapshot/internal/batch"
	"github.com/deploysafe/deploysafe/snapshot/internal/memstore"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/sync/errgroup"
)

// faultBatcher is a faultStore whose batches count toward the same call
// budget: each batch put and each Commit is a step a fault can hit.
type faultBatcher struct{ *faultStore }

func (f faultBatcher) Batch() batch.Batch {
	return &faultBatch{f: f.faultStore, b: f.faultStore.Store.(batch.Batcher).Batch()}
}

type faultBatch struct {
	f *faultStore
	b batch.Batch
}

func (fb *faultBatch) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	if fb.f.hit() {
		if fb.f.afterEffect {
			_ = fb.b.PutIfAbsent(ctx, key, data)
		}
		return fmt.Errorf("batch put %q: %w", key, errInjected)
	}
	return fb.b.PutIfAbsent(ctx, key, data)
}

func (fb *faultBatch) Commit(ctx context.Context) ([]string, error) {
	if fb.f.hit() {
		if fb.f.afterEffect {
			_, _ = fb.b.Commit(ctx)
		}
		return nil, fmt.Errorf("commit: %w", errInjected)
	}
	return fb.b.Commit(ctx)
}

func (fb *faultBatch) Discard() { fb.b.Discard() }

func newTestDirStore(t testing.TB) *dirStore {
	t.Helper()
	return openDirStore(t, t.TempDir())
}

func openDirStore(t testing.TB, dir string) *dirStore {
	t.Helper()
	st, err := NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := st.(*dirStore)
	t.Cleanup(func() { s.Close() })
	return s
}

// wholeChunks fails unless every chunk visible in store decompresses to
// bytes whose SHA-256 is its name: a chunk is either absent or whole.
func wholeChunks(t testing.TB, store Store) int {
	t.Helper()
	ctx := context.Background()
	keys, err := store.List(ctx, "chunks/")
	if err != nil {
		t.Fatal(err)
	}
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	for _, k := range keys {
		r, err := store.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		data, err := dec.DecodeAll(stored, nil)
		sum := sha256.Sum256(data)
		if err != nil || hex.EncodeToString(sum[:]) != path.Base(k) {
			t.Errorf("chunk %s is visible but not whole (%d stored bytes, %v)", k, len(stored), err)
		}
	}
	return len(keys)
}

// Take into a DirStore writes chunks through a batch; a fault at any batch
// put, at Commit, or at any other store call leaves no manifest and only
// whole chunks, and a rerun completes the same snapshot.
func TestTakeIntoDirStoreFaultAtEveryStep(t *testing.T) {
	testTakeFaults(t, func(t testing.TB) Store { return newTestDirStore(t) }, func(f *faultStore) Store { return faultBatcher{f} })
}

// A batch abandoned by a crash (neither committed nor discarded) leaves no
// key, only staging files, which a later NewDirStore removes once stale.
func TestDirBatchAbandoned(t *testing.T) {
	dir := t.TempDir()
	s := openDirStore(t, dir)
	ctx := context.Background()
	b := s.Batch()
	for _, k := range []string{"chunks/a/1", "chunks/b/2"} {
		if err := b.PutIfAbsent(ctx, k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	b.(*dirBatch).syncs.Wait() // the crash comes after the background fsyncs
	if keys, err := s.List(ctx, ""); err != nil || len(keys) != 0 {
		t.Fatalf("uncommitted batch: List = %q, %v; want no keys", keys, err)
	}
	staged := stagedFiles(t, dir)
	if len(staged) != 2 {
		t.Fatalf("%d staging files, want 2", len(staged))
	}
	old := time.Now().Add(-2 * staleAfter)
	age := func(files ...string) {
		t.Helper()
		for _, f := range files {
			if err := os.Chtimes(f, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	age(staged[0])
	// The crash: the process dies, and with it its lock.
	s.lock.Close()
	session := filepath.Join(dir, s.session)
	// A dead writer's files go once stale, its directory and lock once
	// nothing else is left in it.
	openDirStore(t, dir).Close()
	if left := stagedFiles(t, dir); len(left) != 1 || left[0] != staged[1] {
		t.Errorf("NewDirStore left staging files %q, want only the recent %q", left, staged[1])
	}
	if _, err := os.Stat(filepath.Join(session, "lock")); err != nil {
		t.Errorf("the dead session still holds a recent file, but its lock is gone: %v", err)
	}
	age(staged[1])
	s2 := openDirStore(t, dir)
	defer s2.Close()
	if staged := stagedFiles(t, dir); len(staged) != 0 {
		t.Errorf("NewDirStore left %d stale staging files: %q", len(staged), staged)
	}
	if _, err := os.Stat(session); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the dead session's directory is still there (%v)", err)
	}
	// The same values go in again through a new batch.
	b2 := s2.Batch()
	if err := b2.PutIfAbsent(ctx, "chunks/a/1", strings.NewReader("chunks/a/1")); err != nil {
		t.Fatal(err)
	}
	if _, err := b2.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if keys, _ := s2.List(ctx, ""); len(keys) != 1 {
		t.Errorf("after a new batch: keys %q, want [chunks/a/1]", keys)
	}
}

// A key whose parent is already a key fails at the put, and the batch
// still commits the rest.
func TestDirBatchParentIsKey(t *testing.T) {
	s := newTestDirStore(t)
	ctx := context.Background()
	if err := s.PutIfAbsent(ctx, "a", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	b := s.Batch()
	defer b.Discard()
	if err := b.PutIfAbsent(ctx, "a/b", strings.NewReader("y")); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("batch put under a key = %v, want ErrInvalidKey", err)
	}
	if err := b.PutIfAbsent(ctx, "c/d", strings.NewReader("z")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	keys, _ := s.List(ctx, "")
	if strings.Join(keys, " ") != "a c/d" {
		t.Errorf("keys %q, want [a c/d]", keys)
	}
}

// recordingBatcher logs the order in which Take commits chunks and writes
// the manifest, and can fail Commit. Take calls both from one goroutine.
type recordingBatcher struct {
	*memstore.Store
	log        []string
	failCommit bool
}

func (r *recordingBatcher) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	r.log = append(r.log, "put "+strings.SplitN(key, "/", 2)[0])
	return r.Store.PutIfAbsent(ctx, key, data)
}

func (r *recordingBatcher) Batch() batch.Batch {
	return &recordingBatch{r: r, vals: map[string][]byte{}}
}

type recordingBatch struct {
	r    *recordingBatcher
	mu   sync.Mutex
	vals map[string][]byte
}

func (b *recordingBatch) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	v, err := io.ReadAll(data)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.vals[key] = v
	return err
}

func (b *recordingBatch) Commit(ctx context.Context) ([]string, error) {
	b.r.log = append(b.r.log, "commit")
	if b.r.failCommit {
		return nil, errInjected
	}
	for k, v := range b.vals {
		b.r.Store.Set(k, v)
	}
	return nil, nil
}

func (b *recordingBatch) Discard() {}

func TestTakeCommitsChunksBeforeManifest(t *testing.T) {
	src := newFakeSource(2, 50, 7)
	rb := &recordingBatcher{Store: newMemStore()}
	m, err := Take(context.Background(), src, rb, src.partitions(), Parallelism(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rb.log, ", "); got != "put takes, commit, put manifests" {
		t.Errorf("Take's store calls: %s; want the chunk batch committed, then the manifest", got)
	}
	if _, err := Verify(context.Background(), rb.Store, m); err != nil {
		t.Errorf("snapshot does not verify: %v", err)
	}

	failing := &recordingBatcher{Store: newMemStore(), failCommit: true}
	if _, err := Take(context.Background(), src, failing, src.partitions()); !errors.Is(err, errInjected) {
		t.Errorf("Take with a failing Commit = %v, want the commit error", err)
	}
	if failing.BytesUnder("manifests/") != 0 {
		t.Error("a manifest was written although the chunks were not committed")
	}
	if !bytes.Contains([]byte(strings.Join(failing.log, ",")), []byte("commit")) {
		t.Error("Commit was never called")
	}
}

// BenchmarkDirStoreBatch stores a Take's worth of compressed chunks (128 ×
// 48 KiB, 16 writers) into a fresh DirStore: one PutIfAbsent per chunk
// (two fsyncs each) against a batch.Batch and its Commit, side by side in each
// iteration. The ratio is PutIfAbsent's time over the batch's.
func BenchmarkDirStoreBatch(b *testing.B) {
	ctx := context.Background()
	chunks := make([][]byte, 128)
	keys := make([]string, len(chunks))
	for i := range chunks {
		chunks[i] = bytes.Repeat([]byte{byte(i), byte(i >> 8), 'x'}, 16<<10)
		keys[i] = chunkKey(chunkID(chunks[i]))
	}
	// Stores are removed when the benchmark ends, not between iterations:
	// see benchStoreDir in snapshot/sqlsource.
	parent := b.TempDir()
	store := func() *dirStore {
		dir, err := os.MkdirTemp(parent, "s")
		if err != nil {
			b.Fatal(err)
		}
		s, err := NewDirStore(dir)
		if err != nil {
			b.Fatal(err)
		}
		return s.(*dirStore)
	}
	putAll := func(p putter) {
		var g errgroup.Group
		g.SetLimit(16)
		for i := range chunks {
			g.Go(func() error { return p.PutIfAbsent(ctx, keys[i], bytes.NewReader(chunks[i])) })
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	var tPut, tBatch time.Duration
	for b.Loop() {
		s := store()
		began := time.Now()
		putAll(s)
		tPut += time.Since(began)
		s.Close()

		s = store()
		began = time.Now()
		batch := s.Batch()
		putAll(batch)
		if _, err := batch.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		tBatch += time.Since(began)
		s.Close()
	}
	b.ReportMetric(float64(tPut.Microseconds())/float64(b.N)/1000, "put-ms")
	b.ReportMetric(float64(tBatch.Microseconds())/float64(b.N)/1000, "batch-ms")
	b.ReportMetric(tPut.Seconds()/tBatch.Seconds(), "put/batch")
}

// TestStaleCleanupSparesLiveWriters: NewDirStore removes a crashed
// writer's staging files once they are old, but never those of a writer
// that is still running, however long its batch has been open.
func TestStaleCleanupSparesLiveWriters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openDirStore(t, dir)
	b := s.Batch()
	defer b.Discard()
	if err := b.PutIfAbsent(ctx, "chunks/a/1", strings.NewReader("value")); err != nil {
		t.Fatal(err)
	}
	// The batch has been open for two days (a very long Take).
	old := time.Now().Add(-48 * time.Hour)
	err := filepath.WalkDir(filepath.Join(dir, stagingDir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			err = os.Chtimes(p, old, old)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	openDirStore(t, dir) // another process opens the store meanwhile
	if _, err := b.Commit(ctx); err != nil {
		t.Fatalf("Commit after another NewDirStore = %v; a live writer's staging file was removed", err)
	}
	if _, err := s.Get(ctx, "chunks/a/1"); err != nil {
		t.Errorf("committed value: %v", err)
	}
}

// stagedFiles lists the staging files under dir/.tmp, locks aside.
func stagedFiles(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, stagingDir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "lock" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// A batch put that fails, a put that a Discard overtakes, and a Discard
// all leave no staging file behind: nothing waits for a stale-file sweep.
func TestDirBatchLeavesNoStagingFiles(t *testing.T) {
	dir := t.TempDir()
	s := openDirStore(t, dir)
	ctx := context.Background()
	if err := s.PutIfAbsent(ctx, "a", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	noStaging := func(when string) {
		t.Helper()
		if files := stagedFiles(t, dir); len(files) > 0 {
			t.Errorf("%s: staging files left: %q", when, files)
		}
	}

	b := s.Batch()
	if err := b.PutIfAbsent(ctx, "a/b", strings.NewReader("y")); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("batch put under a key = %v, want ErrInvalidKey", err)
	}
	noStaging("after a failed put")
	if err := b.PutIfAbsent(ctx, "c", strings.NewReader("z")); err != nil {
		t.Fatal(err)
	}
	b.Discard()
	noStaging("after Discard")

	b = s.Batch()
	pr, pw := io.Pipe()
	put := make(chan error, 1)
	go func() { put <- b.PutIfAbsent(ctx, "d", pr) }()
	if _, err := pw.Write([]byte("half")); err != nil { // the put is now writing its staging file
		t.Fatal(err)
	}
	b.Discard()
	pw.Close()
	if err := <-put; err == nil || !strings.Contains(err.Error(), "during the put") {
		t.Errorf("put overtaken by Discard = %v, want an error", err)
	}
	noStaging("after a put overtaken by Discard")
	if _, err := s.Get(ctx, "d"); !errors.Is(err, ErrNotExist) {
		t.Errorf("Get of the discarded put = %v, want ErrNotExist", err)
	}
}

// A staged file whose fsync fails fails Commit, and nothing gets its name.
func TestDirBatchFsyncFailure(t *testing.T) {
	dir := t.TempDir()
	s := openDirStore(t, dir)
	ctx := context.Background()
	b := s.Batch().(*dirBatch)
	b.syncClose = func(f *os.File) error {
		f.Close()
		return errInjected
	}
	if err := b.PutIfAbsent(ctx, "chunks/a", strings.NewReader("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx); !errors.Is(err, errInjected) {
		t.Errorf("Commit after a failed fsync = %v, want the fsync's error", err)
	}
	if keys, err := s.List(ctx, ""); err != nil || len(keys) != 0 {
		t.Errorf("keys after a failed Commit: %q, %v", keys, err)
	}
	if files := stagedFiles(t, dir); len(files) != 0 {
		t.Errorf("staging files left: %q", files)
	}
}
