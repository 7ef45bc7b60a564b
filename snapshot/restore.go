package snapshot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// A RestorePlan says what Restore will do, or did.
type RestorePlan struct {
	Snapshot   string // manifest id
	RestoreID  string // journal id
	Partitions []PlannedPartition
}

// PlannedPartition is one selected partition of a restore.
type PlannedPartition struct {
	Partition    Partition
	SnapshotRows int64
	LiveRows     int64    // before the restore
	Journaled    bool     // already restored under this RestoreID: will be skipped
	Rows         *RowDiff // row-level differences, with KeyDiff
}

// String renders the plan as a table, with row-level differences when known.
func (p *RestorePlan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "restore of snapshot %s (journal %s), %d partition(s)\n", p.Snapshot, p.RestoreID, len(p.Partitions))
	diff := DiffReport{}
	for _, pp := range p.Partitions {
		diff.Partitions = append(diff.Partitions, PartitionDiff{Partition: pp.Partition, SnapshotRows: pp.SnapshotRows, LiveRows: pp.LiveRows, Rows: pp.Rows})
	}
	lines := strings.Split(strings.TrimSuffix(diff.String(), "\n"), "\n")
	j := 0
	for i, l := range lines {
		switch {
		case i == 0:
			l += "  ACTION"
		case !strings.HasPrefix(l, " "):
			if p.Partitions[j].Journaled {
				l += "  skip (already restored)"
			} else {
				l += "  restore"
			}
			j++
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if n := p.journaled(); n > 0 {
		// A second bad deploy can damage a tenant that was restored before:
		// say plainly that this run will not touch it.
		fmt.Fprintf(&b, "%d partition(s) were restored before under journal %s and are skipped; to restore them again, pass a new RestoreID\n", n, p.RestoreID)
	}
	return b.String()
}

func (p *RestorePlan) journaled() int {
	n := 0
	for _, pp := range p.Partitions {
		if pp.Journaled {
			n++
		}
	}
	return n
}

// A RestoreResult reports a restore: its plan, and when applied, what happened.
type RestoreResult struct {
	Plan     RestorePlan
	Applied  bool        // false for a dry run
	Restored []Partition // restored and journaled by this call
	Skipped  []Partition // already restored by an earlier run of this restore
}

// A RestoreError lists the partitions a restore could not finish. Those not
// listed are restored (or skipped as already restored); rerunning the same
// restore retries only the failed ones.
type RestoreError struct {
	Failed []*PartitionError
}

// Error lists the partitions that failed to restore.
func (e *RestoreError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "snapshot: restore failed for %d partition(s)", len(e.Failed))
	for i, f := range e.Failed {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(e.Failed)-5)
			break
		}
		fmt.Fprintf(&b, "; %s: %v", f.Partition, f.Err)
	}
	return b.String()
}

// Unwrap returns the partition errors.
func (e *RestoreError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f
	}
	return errs
}

// Restore puts the selected partitions of snapshot m back into src.
//
// By default it is a dry run: it checks the selection, the schemas and the
// snapshot's chunks, and returns the plan (row counts, and with [KeyDiff]
// the rows that differ) without writing anything anywhere. With [Apply] it
// then restores each partition atomically through [Source.Replace]: delete,
// load, and commit only if the loaded rows match the manifest's row count and
// digest. Partitions run in parallel ([Parallelism]), report progress
// ([OnProgress]), and may be paused and resumed around their restore
// ([PauseResume]). Partitions not selected are never touched.
//
// Restore refuses, before writing anything, an empty selection, a partition
// not in the snapshot, a table whose schema changed (unless [ForceSchema]), a
// store it cannot read, and a snapshot with a missing or corrupt chunk.
//
// Each committed partition is recorded in a journal in the store (see
// [RestoreID]); a restore that was interrupted at any point resumes when run
// again with the same arguments, skipping what it already restored.
//
// Options: [Apply], [Parallelism], [OnProgress], [PauseResume], [ForceSchema],
// [KeyDiff], [RestoreID].
func Restore(ctx context.Context, src Source, store Store, m *Manifest, selection []Partition, opts ...Option) (*RestoreResult, error) {
	o, err := buildOptions("Restore", opts, "Apply", "Parallelism", "OnProgress", "PauseResume", "ForceSchema", "KeyDiff", "RestoreID")
	if err != nil {
		return nil, err
	}
	if src == nil || store == nil || m == nil {
		return nil, errors.New("snapshot: Restore: nil Source, Store or Manifest")
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("snapshot: Restore: %w: %v", ErrBadManifest, err)
	}
	sel, err := selectFrom("Restore", m, selection)
	if err != nil {
		return nil, err
	}
	if err := checkSchemas(ctx, src, m, sel, o.forceSchema); err != nil {
		return nil, err
	}
	j := &journal{store: store, id: o.restoreID, plan: journalPlan{Snapshot: m.ID, Selection: sel}}
	if j.id == "" {
		j.id = defaultRestoreID(m, sel)
	}
	done, err := j.load(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("snapshot: Restore: %w", err)
	}
	var todo []Partition
	for _, p := range sel {
		if !done[p] {
			todo = append(todo, p)
		}
	}
	cd, err := newCodec(o.parallelism)
	if err != nil {
		return nil, err
	}
	defer cd.Close()
	// Checking the chunks (the store) and computing the plan (the
	// database) are independent: run them side by side. Both finish before
	// anything is written, and a damaged snapshot is reported first.
	// The chunks this check reads and verifies are kept (up to a memory
	// budget) for the restore itself, which then need not fetch, decompress
	// and re-hash them again; the rest it reads and verifies as it streams.
	cache := newChunkCache(chunkCacheBudget)
	if !o.apply {
		cache = nil
	}
	var (
		d          *DiffReport
		verr, derr error
		wg         sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, verr = verifyPartitions(ctx, store, cd, m, todo, options{parallelism: o.parallelism, cache: cache})
	}()
	d, derr = diff(ctx, src, store, m, sel, o)
	wg.Wait()
	if verr != nil {
		return nil, fmt.Errorf("snapshot: Restore: refusing to restore from a damaged snapshot: %w", verr)
	}
	if derr != nil {
		return nil, fmt.Errorf("snapshot: Restore: %w", derr)
	}
	res := &RestoreResult{Plan: RestorePlan{Snapshot: m.ID, RestoreID: j.id}}
	for _, pd := range d.Partitions {
		res.Plan.Partitions = append(res.Plan.Partitions, PlannedPartition{
			Partition: pd.Partition, SnapshotRows: pd.SnapshotRows, LiveRows: pd.LiveRows, Journaled: done[pd.Partition], Rows: pd.Rows})
	}
	if !o.apply {
		return res, nil
	}
	if err := j.begin(ctx); err != nil {
		return nil, fmt.Errorf("snapshot: Restore: %w", err)
	}
	return res, apply(ctx, src, store, cd, cache, m, j, sel, done, o, res)
}

func apply(ctx context.Context, src Source, store Store, cd *codec, cache *chunkCache, m *Manifest, j *journal, sel []Partition, done map[Partition]bool, o options, res *RestoreResult) error {
	res.Applied = true
	rep := newReporter("restore", len(sel), o.progress)
	var (
		mu     sync.Mutex
		failed []*PartitionError
	)
	fail := func(p Partition, err error) {
		mu.Lock()
		defer mu.Unlock()
		pe := &PartitionError{Op: "restore", Partition: p, Err: err}
		failed = append(failed, pe)
		rep.report(p, Failed, 0, 0, pe)
	}
	// The database work (pause, replace) of at most o.parallelism partitions
	// runs at once. Without pause/resume hooks, each partition's journal
	// record is then written on its own goroutine, so that the next
	// partition's load does not wait for the store (two fsyncs on a
	// DirStore); every such goroutine is waited for below.
	var g errgroup.Group
	g.SetLimit(o.parallelism)
	var tails sync.WaitGroup
	for _, p := range sel {
		pm, _ := m.Partition(p)
		if done[p] {
			res.Skipped = append(res.Skipped, p)
			rep.report(p, Skipped, pm.Rows, pm.Bytes, nil)
			continue
		}
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			rep.report(p, Started, 0, 0, nil)
			if err := replacePartition(ctx, src, store, cd, cache, pm, o); err != nil {
				fail(p, err)
				return nil
			}
			finish := func() {
				if err := finishPartition(ctx, j, pm, o); err != nil {
					fail(p, err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				res.Restored = append(res.Restored, p)
				rep.report(p, Done, pm.Rows, pm.Bytes, nil)
			}
			if o.pause != nil || o.resume != nil {
				// With hooks, a partition is resumed before its slot
				// goes to the next one, as the caller's pauses expect.
				finish()
				return nil
			}
			tails.Add(1)
			go func() {
				defer tails.Done()
				finish()
			}()
			return nil
		})
	}
	_ = g.Wait() // workers report through failed
	tails.Wait()
	sort.Slice(res.Restored, func(a, b int) bool { return partitionLess(res.Restored[a], res.Restored[b]) })
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	if len(failed) > 0 {
		sort.Slice(failed, func(a, b int) bool { return partitionLess(failed[a].Partition, failed[b].Partition) })
		return &RestoreError{Failed: failed}
	}
	return nil
}

// checkSchemas refuses tables whose schema changed since the snapshot.
func checkSchemas(ctx context.Context, src Source, m *Manifest, sel []Partition, force bool) error {
	seen := map[string]bool{}
	for _, p := range sel {
		if seen[p.Table] {
			continue
		}
		seen[p.Table] = true
		was, _ := m.Schema(p.Table)
		now, err := src.Schema(ctx, p.Table)
		if err != nil {
			return fmt.Errorf("snapshot: Restore: table %q: %w", p.Table, err)
		}
		if fw, fn := was.Fingerprint(), now.Fingerprint(); fw != fn && !force {
			return &SchemaError{Table: p.Table, Snapshot: fw, Current: fn, Differences: schemaDiff(was, now)}
		}
	}
	return nil
}
