package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/snapshot/internal/memstore"
)

// Fault injection: Take and Restore are interrupted at every store call
// (failing it, failing it after it took effect, or cancelling the context
// there) and at every partition in the source; a plain rerun must then
// finish with a complete result identical to an uninterrupted run.

// smallChunks cuts test partitions of a few hundred rows into several chunks.
var smallChunks = withChunking(chunkParams{Min: 2 << 10, Max: 16 << 10, Mask: highBits(12), Name: "gear-test"})

type faultMode int

const (
	failCall faultMode = iota
	failAfterEffect
	cancelAtCall
)

func (m faultMode) String() string {
	return [...]string{"fail", "fail-after-effect", "cancel"}[m]
}

// faulty wraps store to inject mode at call n, returning the wrapper and
// the context to run with.
func faulty(store Store, mode faultMode, n int) (*faultStore, context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	fs := &faultStore{Store: store, n: n, afterEffect: mode == failAfterEffect}
	if mode == cancelAtCall {
		fs.cancel = cancel
	}
	return fs, ctx, cancel
}

func TestTakeFaultAtEveryStep(t *testing.T) {
	testTakeFaults(t, func(testing.TB) Store { return newMemStore() }, func(f *faultStore) Store { return f })
}

// testTakeFaults runs an uninterrupted Take through wrap to count its store
// calls, then, for each call and fault mode, a Take that is interrupted
// there: it must fail without a manifest and leave only whole chunks, and a
// plain rerun on the same store must produce the same verified snapshot.
func testTakeFaults(t *testing.T, newStore func(testing.TB) Store, wrap func(*faultStore) Store) {
	t.Helper()
	src := newFakeSource(3, 300, 30)
	sel := src.partitions()
	opts := []TakeOption{ID("snap"), Parallelism(1), smallChunks}
	counter := &faultStore{Store: newStore(t)}
	ref, err := Take(context.Background(), src, wrap(counter), sel, opts...)
	if err != nil {
		t.Fatal(err)
	}
	steps := counter.calls
	if steps < 6 {
		t.Fatalf("only %d store calls: the test data is too small to exercise chunking", steps)
	}
	for _, mode := range []faultMode{failCall, failAfterEffect, cancelAtCall} {
		for n := 1; n <= steps; n++ {
			t.Run(fmt.Sprintf("%v-at-%d", mode, n), func(t *testing.T) {
				store := newStore(t)
				fs, ctx, cancel := faulty(store, mode, n)
				m, err := Take(ctx, src, wrap(fs), sel, opts...)
				cancel()
				if err == nil {
					t.Fatalf("Take succeeded despite a fault at call %d: %v", n, m.ID)
				}
				if keys, _ := store.List(context.Background(), "manifests/"); len(keys) != 0 && (mode != failAfterEffect || n != steps) {
					t.Fatalf("a failed Take left manifests %q", keys)
				}
				wholeChunks(t, store)
				m, err = Take(context.Background(), src, store, sel, opts...)
				if err != nil {
					t.Fatalf("rerun: %v", err)
				}
				if contentHash(m) != contentHash(ref) {
					t.Error("rerun produced a different snapshot")
				}
				if _, err := Verify(context.Background(), store, m); err != nil {
					t.Errorf("rerun's snapshot does not verify: %v", err)
				}
			})
		}
	}
}

func TestTakeSourceFailsMidDump(t *testing.T) {
	src := newFakeSource(4, 300, 31)
	ref := takeAll(t, src, newMemStore(), ID("snap"), smallChunks)
	for _, k := range []string{"t000", "t002", "t003"} {
		store := newMemStore()
		src.dumpErr = func(p Partition) error {
			if p.Key == k {
				return errors.New("connection reset by peer")
			}
			return nil
		}
		_, err := Take(context.Background(), src, store, src.partitions(), ID("snap"), smallChunks)
		var pe *PartitionError
		if !errors.As(err, &pe) || pe.Partition.Key != k || store.BytesUnder("manifests/") != 0 {
			t.Fatalf("Take with %s failing = %v; want a PartitionError naming it and no manifest", k, err)
		}
		src.dumpErr = nil
		m, err := Take(context.Background(), src, store, src.partitions(), ID("snap"), smallChunks)
		if err != nil || contentHash(m) != contentHash(ref) {
			t.Fatalf("rerun = %v; want the same snapshot", err)
		}
	}
}

// restoreFixture is a damaged database with a snapshot from before the damage.
type restoreFixture struct {
	src   *fakeSource // damaged
	store *memstore.Store
	m     *Manifest
	want  map[Partition][]string // before the damage
	live  map[Partition][]string // after the damage
	sel   []Partition
}

func newRestoreFixture(t testing.TB) restoreFixture {
	t.Helper()
	src := newFakeSource(5, 300, 32)
	store := newMemStore()
	want := src.snapshotOf()
	m := takeAll(t, src, store, ID("pre-deploy"), smallChunks)
	damage(src, "t000", "t001", "t002", "t003")
	// t002 is damaged but not selected; t004 is intact and not selected.
	return restoreFixture{src: src, store: store, m: m, want: want, live: src.snapshotOf(), sel: selectKeys("t000", "t001", "t003")}
}

// rerunAndCheck finishes an interrupted restore and checks the result: the
// selected partitions hold the snapshot, the others are untouched, and no
// partition journaled by the first run was replaced again.
func (fx restoreFixture) rerunAndCheck(t testing.TB, src *fakeSource, store *memstore.Store) {
	t.Helper()
	journaled := map[Partition]bool{}
	keys, _ := store.List(context.Background(), "restores/")
	j := &journal{id: defaultRestoreID(fx.m, fx.sel)}
	for _, p := range fx.sel {
		for _, k := range keys {
			if k == j.doneKey(p) {
				journaled[p] = true
			}
		}
	}
	before := src.commitCounts()
	res, err := Restore(context.Background(), src, store, fx.m, fx.sel, Parallelism(2))
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if len(res.Skipped) != len(journaled) {
		t.Errorf("rerun skipped %v, journal had %v", res.Skipped, journaled)
	}
	after := src.commitCounts()
	for p := range journaled {
		if after[p] != before[p] {
			t.Errorf("journaled partition %s was restored again", p)
		}
	}
	for p, n := range after {
		if n > 2 {
			t.Errorf("partition %s committed %d times", p, n)
		}
	}
	wantRestored(t, src, fx.want, fx.live, fx.sel)
}

func TestRestoreStoreFaultAtEveryStep(t *testing.T) {
	fx := newRestoreFixture(t)
	counter := &faultStore{Store: fx.store.Clone()}
	if _, err := Restore(context.Background(), fx.src.clone(), counter, fx.m, fx.sel, Parallelism(1)); err != nil {
		t.Fatal(err)
	}
	steps := counter.calls
	for _, mode := range []faultMode{failCall, failAfterEffect, cancelAtCall} {
		for n := 1; n <= steps; n++ {
			t.Run(fmt.Sprintf("%v-at-%d", mode, n), func(t *testing.T) {
				src, store := fx.src.clone(), fx.store.Clone()
				fs, ctx, cancel := faulty(store, mode, n)
				_, err := Restore(ctx, src, fs, fx.m, fx.sel, Parallelism(1))
				cancel()
				if err == nil {
					t.Fatalf("Restore succeeded despite a fault at call %d", n)
				}
				fx.rerunAndCheck(t, src, store)
			})
		}
	}
}

func TestRestoreSourceFaultAtEveryPartition(t *testing.T) {
	fx := newRestoreFixture(t)
	for _, stage := range []string{"before-commit", "after-commit", "cancel-after-commit"} {
		for _, p := range fx.sel {
			t.Run(stage+"-"+p.Key, func(t *testing.T) {
				src, store := fx.src.clone(), fx.store.Clone()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				hook := func(q Partition) error {
					if q != p {
						return nil
					}
					if strings.HasPrefix(stage, "cancel") {
						cancel()
						return context.Canceled
					}
					return errors.New("server closed the connection")
				}
				if stage == "before-commit" {
					src.beforeCommit = hook
				} else {
					src.afterCommit = hook
				}
				_, err := Restore(ctx, src, store, fx.m, fx.sel, Parallelism(2))
				if err == nil {
					t.Fatal("Restore succeeded despite the fault")
				}
				src.beforeCommit, src.afterCommit = nil, nil
				fx.rerunAndCheck(t, src, store)
			})
		}
	}
}

// failAfterDump is a Source whose Dump writes every row, then fails (say,
// its read transaction could not be closed).
type failAfterDump struct {
	*fakeSource
	err error
}

func (f failAfterDump) Dump(ctx context.Context, p Partition, w io.Writer) (int64, error) {
	n, err := f.fakeSource.Dump(ctx, p, w)
	if err == nil {
		err = f.err
	}
	return n, err
}

// A Dump's error fails the Take even when the rows it wrote add up.
func TestTakeSourceFailsAfterDump(t *testing.T) {
	src := failAfterDump{newFakeSource(2, 50, 32), errors.New("read transaction lost")}
	_, err := Take(context.Background(), src, newMemStore(), src.partitions())
	var pe *PartitionError
	if !errors.Is(err, src.err) || !errors.As(err, &pe) {
		t.Errorf("Take = %v; want a PartitionError wrapping the Dump's error", err)
	}
}

// trailingJunk is a Source whose Dump ends with bytes after its last row.
type trailingJunk struct{ *fakeSource }

func (f trailingJunk) Dump(ctx context.Context, p Partition, w io.Writer) (int64, error) {
	n, err := f.fakeSource.Dump(ctx, p, w)
	if err == nil {
		_, err = io.WriteString(w, "junk")
	}
	return n, err
}

// What a Dump writes must be exactly its rows, each ending in a newline;
// a partition the source has no rows for is unknown, not an empty one.
func TestTakeChecksTheDump(t *testing.T) {
	src := trailingJunk{newFakeSource(1, 5, 33)}
	if _, err := Take(context.Background(), src, newMemStore(), src.partitions()); !errors.Is(err, ErrBadRow) {
		t.Errorf("Take of a dump with bytes after its last row = %v, want ErrBadRow", err)
	}
	plain := newFakeSource(1, 5, 33)
	sel := append(plain.partitions(), Partition{"orders", "t404"})
	if _, err := Take(context.Background(), plain, newMemStore(), sel); !errors.Is(err, ErrUnknownPartition) {
		t.Errorf("Take of a partition without rows = %v, want ErrUnknownPartition", err)
	}
}

// signalDump closes dumped once its Dump has returned.
type signalDump struct {
	*fakeSource
	dumped chan struct{}
}

func (s signalDump) Dump(ctx context.Context, p Partition, w io.Writer) (int64, error) {
	defer close(s.dumped)
	return s.fakeSource.Dump(ctx, p, w)
}

// slowFailingChunks fails every chunk write, once the dump is over.
type slowFailingChunks struct {
	Store
	dumped chan struct{}
}

func (s slowFailingChunks) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	if strings.HasPrefix(key, "chunks/") {
		<-s.dumped
		return errInjected
	}
	return s.Store.PutIfAbsent(ctx, key, data)
}

// A chunk write that fails after its partition's dump is over still fails
// that partition: progress reports it failed, never done.
func TestTakeChunkFailureAfterTheDump(t *testing.T) {
	dumped := make(chan struct{})
	src := signalDump{newFakeSource(1, 5, 34), dumped}
	var stages []string
	_, err := Take(context.Background(), src, slowFailingChunks{newMemStore(), dumped}, src.partitions(),
		OnProgress(func(e Progress) { stages = append(stages, e.Stage) }))
	if !errors.Is(err, errInjected) {
		t.Errorf("Take = %v, want the chunk write's error", err)
	}
	if got := strings.Join(stages, " "); got != "started failed" {
		t.Errorf("progress stages %q, want %q", got, "started failed")
	}
}
