package snapshot

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// damage simulates the bad deploy: each listed tenant loses most rows.
func damage(src *fakeSource, keys ...string) {
	for _, k := range keys {
		src.mutate(Partition{"orders", k}, func(l []string) []string { return l[:len(l)/3] })
	}
}

// wantRestored fails t unless every partition in sel holds exactly the data
// of want, and every other partition holds exactly what it held in live.
func wantRestored(t testing.TB, src *fakeSource, want, live map[Partition][]string, sel []Partition) {
	t.Helper()
	now := src.snapshotOf()
	chosen := map[Partition]bool{}
	for _, p := range sel {
		chosen[p] = true
	}
	for p := range now {
		exp := live[p]
		if chosen[p] {
			exp = want[p]
		}
		if !reflect.DeepEqual(now[p], exp) {
			t.Errorf("partition %s: %d rows, want %d (selected %v)", p, len(now[p]), len(exp), chosen[p])
		}
	}
}

func TestRestoreDryRunTouchesNothing(t *testing.T) {
	src := newFakeSource(5, 300, 20)
	store := newMemStore()
	m := takeAll(t, src, store)
	damage(src, "t001", "t003")
	before, keys := src.snapshotOf(), store.Clone()

	res, err := Diff(context.Background(), src, store, m, selectKeys("t001", "t003"), KeyDiff(3))
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied || len(res.Restored) != 0 {
		t.Errorf("dry run applied: %+v", res)
	}
	wantRestored(t, src, nil, before, nil)
	if !reflect.DeepEqual(keys.Contents(), store.Contents()) {
		t.Error("dry run wrote to the store")
	}
	plan := res.String()
	for _, want := range []string{"orders/t001", "300", "100", "-200", "restore", "0 added, 200 removed"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
	if len(src.replaces) != 0 {
		t.Errorf("dry run called Replace: %v", src.replaces)
	}
}

func TestRestoreAppliesSelectionOnly(t *testing.T) {
	src := newFakeSource(6, 400, 21)
	store := newMemStore()
	want := src.snapshotOf()
	m := takeAll(t, src, store)
	damage(src, "t001", "t002", "t004")
	live := src.snapshotOf()
	sel := selectKeys("t001", "t004") // t002 is damaged but not selected

	var mu sync.Mutex
	var calls []string
	hook := func(what string) func(context.Context, Partition) error {
		return func(_ context.Context, p Partition) error {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, what+" "+p.Key)
			return nil
		}
	}
	var events []Progress
	res, err := Restore(context.Background(), src, store, m, sel, Parallelism(2),
		PauseResume(hook("pause"), hook("resume")), OnProgress(func(e Progress) { events = append(events, e) }))
	if err != nil {
		t.Fatal(err)
	}
	wantRestored(t, src, want, live, sel)
	if !res.Applied || !reflect.DeepEqual(res.Restored, sel) {
		t.Errorf("result %+v, want %v restored", res, sel)
	}
	if len(calls) != 4 || len(events) != 4 || events[3].Finished != 2 {
		t.Errorf("hooks %v, events %v", calls, events)
	}
	finished := 0
	for _, e := range events {
		if e.Stage != "started" {
			finished++
		}
		if e.Finished != finished || e.Total != 2 {
			t.Errorf("event %+v: Finished %d of %d, want %d of 2", e, e.Finished, e.Total, finished)
		}
	}
	for _, k := range []string{"t001", "t004"} {
		i, j := indexOf(calls, "pause "+k), indexOf(calls, "resume "+k)
		if i < 0 || j < i {
			t.Errorf("%s not paused before resumed: %v", k, calls)
		}
	}
	if src.replaces[Partition{"orders", "t002"}] != 0 {
		t.Error("unselected partition t002 was touched")
	}

	// Running it again skips everything: the journal says it is done.
	res, err = Restore(context.Background(), src, store, m, sel)
	if err != nil || len(res.Skipped) != 2 || len(res.Restored) != 0 {
		t.Errorf("rerun = %+v, %v; want both skipped", res, err)
	}
	if !res.Partitions[0].Journaled || !strings.Contains(res.String(), "skip (restored before, still matches the snapshot)") ||
		!strings.Contains(res.String(), "2 partition(s) were restored before") {
		t.Errorf("plan does not show journaled partitions:\n%s", res.String())
	}
	// Damaged again after it was restored (a second bad deploy), the same
	// rerun looks at the live rows again and restores it again; the
	// partition that still matches is skipped.
	damage(src, "t001")
	res, err = Restore(context.Background(), src, store, m, sel)
	if err != nil || !reflect.DeepEqual(res.Restored, sel[:1]) || !reflect.DeepEqual(res.Skipped, sel[1:]) ||
		!res.Partitions[0].Again || res.Partitions[0].Journaled || res.Partitions[1].Again {
		t.Fatalf("rerun after new damage = %+v, %v; want t001 restored again, t004 skipped", res, err)
	}
	if !strings.Contains(res.String(), "restore again (changed since it was restored)") {
		t.Errorf("plan does not say t001 is restored again:\n%s", res.String())
	}
	wantRestored(t, src, want, live, sel)
	// A new restore id restores again.
	damage(src, "t001")
	if _, err := Restore(context.Background(), src, store, m, sel, ID("second")); err != nil {
		t.Fatal(err)
	}
	wantRestored(t, src, want, live, sel)
	// The same id for a different selection is refused.
	if _, err := Restore(context.Background(), src, store, m, selectKeys("t001"), ID("second")); err == nil ||
		!strings.Contains(err.Error(), "already belongs") {
		t.Errorf("reused restore id = %v", err)
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func TestRestoreRefusesBadInput(t *testing.T) {
	src := newFakeSource(3, 100, 22)
	store := newMemStore()
	m := takeAll(t, src, store)
	damage(src, "t000")
	changed := newFakeSource(3, 100, 22)
	damage(changed, "t000")
	changed.schema.Types = append([]string{}, ordersSchema.Types...)
	changed.schema.Types[3] = "numeric"

	corrupted := store.Clone()
	corruptChunk(t, corrupted, m, Partition{"orders", "t000"}, 0)
	badManifest := *m
	badManifest.format = 99

	for _, tc := range []struct {
		name  string
		src   Source
		store Store
		m     *Manifest
		sel   []Partition
		opts  []RestoreOption
		want  error
		text  string
	}{
		{"empty selection", src, store, m, nil, nil, ErrEmptySelection, "empty selection"},
		{"unknown partition", src, store, m, selectKeys("t000", "t404"), nil, ErrUnknownPartition, "orders/t404"},
		{"schema changed", changed, store, m, selectKeys("t000"), nil, ErrSchemaChanged, `column "qty" type integer → numeric`},
		{"store down", src, downStore{}, m, selectKeys("t000"), nil, errDown, "connection refused"},
		{"corrupt chunk", src, corrupted, m, selectKeys("t000"), nil, ErrChunkCorrupt, "orders/t000 chunk 0"},
		{"missing chunk", src, newMemStore(), m, selectKeys("t000"), nil, ErrChunkMissing, "orders/t000 chunk 0"},
		{"bad manifest", src, store, &badManifest, selectKeys("t000"), nil, ErrBadManifest, "format 99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, apply := range []bool{false, true} {
				run := Diff
				if apply {
					run = Restore
				}
				res, err := run(context.Background(), tc.src, tc.store, tc.m, tc.sel, tc.opts...)
				if err == nil || res != nil {
					t.Fatalf("Restore(apply=%v) = %v, %v; want an error", apply, res, err)
				}
				if (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
					t.Errorf("Restore(apply=%v) error %q, want %v mentioning %q", apply, err, tc.want, tc.text)
				}
			}
			if len(src.replaces) != 0 || len(changed.replaces) != 0 {
				t.Errorf("Replace was called: %v", src.replaces)
			}
		})
	}
	if store.BytesUnder("restores/") != 0 {
		t.Error("a refused restore wrote a journal")
	}

	// Forced, the schema change is accepted.
	res, err := Restore(context.Background(), changed, store, m, selectKeys("t000"), ForceSchema())
	if err != nil || len(res.Restored) != 1 {
		t.Errorf("forced restore = %v, %v", res, err)
	}
}

func TestRestoreFailedPartitionIsReportedAndRetried(t *testing.T) {
	src := newFakeSource(4, 100, 23)
	store := newMemStore()
	want := src.snapshotOf()
	m := takeAll(t, src, store)
	damage(src, "t000", "t001", "t002", "t003")
	live := src.snapshotOf()
	src.beforeCommit = func(p Partition) error {
		if p.Key == "t002" {
			return fmt.Errorf("deadlock detected")
		}
		return nil
	}
	res, err := Restore(context.Background(), src, store, m, m.Selection())
	var pe *PartitionError
	if !errors.As(err, &pe) || pe.Partition.Key != "t002" || len(res.Failed) != 1 || res.Failed[0].Key != "t002" || len(res.Restored) != 3 {
		t.Fatalf("Restore = %+v, %v; want t002 failed, 3 restored", res, err)
	}
	if got := src.snapshotOf()[Partition{"orders", "t002"}]; len(got) != len(live[Partition{"orders", "t002"}]) {
		t.Error("failed partition was changed")
	}
	src.beforeCommit = nil
	res, err = Restore(context.Background(), src, store, m, m.Selection())
	if err != nil || len(res.Restored) != 1 || len(res.Skipped) != 3 {
		t.Fatalf("rerun = %+v, %v; want t002 restored, 3 skipped", res, err)
	}
	wantRestored(t, src, want, live, m.Selection())
}

func TestRestoreRefusesMismatchedLoad(t *testing.T) {
	src := newFakeSource(1, 100, 24)
	store := newMemStore()
	m := takeAll(t, src, store)
	damage(src, "t000")
	live := src.snapshotOf()
	// A manifest that lies about the row count: the loaded data cannot match.
	m.Partitions[0].Rows++
	_, err := Restore(context.Background(), src, store, m, m.Selection())
	if !errors.Is(err, ErrMismatch) {
		t.Errorf("Restore = %v, want ErrMismatch", err)
	}
	wantRestored(t, src, nil, live, nil)
}

// With pause and resume hooks and one worker, a partition is resumed
// before the next one is paused: the caller's pauses never overlap. The
// first resume waits a while for a pause that must not come.
func TestRestoreResumesBeforeTheNextPause(t *testing.T) {
	src := newFakeSource(3, 50, 22)
	store := newMemStore()
	m := takeAll(t, src, store)
	damage(src, "t000", "t001")
	var (
		mu       sync.Mutex
		calls    []string
		paused   = make(chan struct{}, 2)
		firstOne sync.Once
	)
	log := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, s)
	}
	pause := func(_ context.Context, p Partition) error {
		log("pause " + p.Key)
		paused <- struct{}{}
		return nil
	}
	resume := func(_ context.Context, p Partition) error {
		firstOne.Do(func() {
			<-paused // its own pause
			select {
			case <-paused: // the next partition's: too early
			case <-time.After(300 * time.Millisecond):
			}
		})
		log("resume " + p.Key)
		return nil
	}
	if _, err := Restore(context.Background(), src, store, m, selectKeys("t000", "t001"), Parallelism(1), PauseResume(pause, resume)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(calls, ", "); got != "pause t000, resume t000, pause t001, resume t001" {
		t.Errorf("hook calls: %s", got)
	}
}
