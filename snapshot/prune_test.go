package snapshot

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestForgetAndPrune: a forgotten snapshot's chunks that no other snapshot
// uses are deleted by the Prune that finds them unused a grace after the
// first did (not one second earlier), and only when no Take is in
// progress; chunks an interrupted Take left go the same way; the snapshot
// that shares chunks still verifies; a manifest that cannot be read stops
// Prune before it deletes anything.
func TestForgetAndPrune(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store := newMemStore()
		a := takeAll(t, newFakeSource(3, 200, 1), store, ID("a"), smallChunks)
		b := takeAll(t, newFakeSource(3, 200, 2), store, ID("b"), smallChunks)
		if _, err := Restore(ctx, newFakeSource(3, 200, 1), store, a, []Partition{a.Partitions[0].Partition}, ID("ra")); err != nil {
			t.Fatal(err)
		}
		orphan := chunkKey(strings.Repeat("ab", 32))
		if err := store.PutIfAbsent(ctx, orphan, strings.NewReader("left by a killed Take")); err != nil {
			t.Fatal(err)
		}
		if err := Forget(ctx, store, "nope"); !errors.Is(err, ErrNotExist) {
			t.Errorf("Forget of an unknown snapshot = %v, want ErrNotExist", err)
		}
		if err := Forget(ctx, store, "a"); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadManifest(ctx, store, "a"); !errors.Is(err, ErrNotExist) {
			t.Errorf("after Forget, LoadManifest(a) = %v", err)
		}
		if keys, _ := store.List(ctx, "restores/ra/"); len(keys) != 0 {
			t.Errorf("Forget left the journal of a restore from it: %v", keys)
		}
		const grace = time.Hour
		rep, err := Prune(ctx, store, grace)
		if err != nil || rep.Deleted != 0 || rep.Pending == 0 || rep.Unused != rep.Pending || rep.Snapshots != 1 {
			t.Fatalf("first Prune = %+v, %v; want chunks marked, none deleted", rep, err)
		}
		unused := rep.Unused

		time.Sleep(grace - time.Second)
		if rep, err := Prune(ctx, store, grace); err != nil || rep.Deleted != 0 || rep.Pending != unused {
			t.Fatalf("Prune a second before the grace = %+v, %v; want nothing deleted", rep, err)
		}
		// A Take in progress (its record written, its manifest not yet)
		// holds every deletion.
		end, err := beginTake(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if rep, err := Prune(ctx, store, grace); err != nil || !rep.Busy || rep.Deleted != 0 {
			t.Fatalf("Prune beside a Take in progress = %+v, %v; want busy, nothing deleted", rep, err)
		}
		end()
		rep, err = Prune(ctx, store, grace)
		if err != nil || rep.Busy || rep.Deleted != unused || rep.Pending != 0 {
			t.Fatalf("Prune at the grace = %+v, %v; want the %d unused chunks deleted", rep, err, unused)
		}
		if _, err := store.Get(ctx, orphan); !errors.Is(err, ErrNotExist) {
			t.Errorf("the interrupted Take's chunk is still there: %v", err)
		}
		if _, err := Verify(ctx, store, b); err != nil {
			t.Errorf("the kept snapshot no longer verifies: %v", err)
		}
		// A killed Take's record older than the grace does not hold Prune forever.
		if _, err := beginTake(ctx, store); err != nil {
			t.Fatal(err)
		}
		time.Sleep(grace)
		if rep, err := Prune(ctx, store, grace); err != nil || rep.Busy {
			t.Errorf("Prune a grace after a dead Take = %+v, %v; want not busy", rep, err)
		}
		// A manifest that cannot be read: refuse, delete nothing.
		before, _ := store.List(ctx, "chunks/")
		if err := store.PutIfAbsent(ctx, manifestKey("broken"), bytes.NewReader([]byte("not a manifest"))); err != nil {
			t.Fatal(err)
		}
		if err := Forget(ctx, store, "b"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * grace)
		if _, err := Prune(ctx, store, grace); err == nil {
			t.Error("Prune with an unreadable manifest succeeded")
		}
		if after, _ := store.List(ctx, "chunks/"); len(after) != len(before) {
			t.Errorf("Prune with an unreadable manifest deleted %d chunks", len(before)-len(after))
		}
		if _, err := Prune(ctx, store, 0); !errors.Is(err, ErrConfig) {
			t.Errorf("Prune(grace 0) = %v, want ErrConfig", err)
		}
	})
}
