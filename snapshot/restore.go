package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
	"golang.org/x/sync/errgroup"
)

// Diff plans the restore of the selected partitions of snapshot m into src,
// writing nothing anywhere: it checks the selection, the schemas and the
// snapshot's chunks, reads the restore's journal, and compares row counts
// (one Source.Counts call per table) and, with [KeyDiff], the rows
// themselves, matched on the table's key columns. A partition whose count
// matches is dumped and hashed, so the plan says which need nothing
// (PartitionDiff.Identical). It refuses what [Restore]
// would refuse. Given the same options, Restore then does what the plan says.
func Diff(ctx context.Context, src Source, store Store, m *Manifest, selection []Partition, opts ...RestoreOption) (*Plan, error) {
	r, err := newRestore(ctx, "Diff", src, store, m, selection, opts, false)
	if err != nil {
		return nil, err
	}
	defer r.cd.Close()
	if err := r.prepare(ctx); err != nil {
		return nil, err
	}
	r.log.planned(r.plan)
	return r.plan, nil
}

// Restore puts the selected partitions of snapshot m back into src.
//
// It first does what [Diff] does, and refuses, before writing anything, an
// empty selection, a partition not in the snapshot, a table whose schema
// changed (unless [ForceSchema]), a store it cannot read, and a snapshot
// with a missing or corrupt chunk. It then restores each partition
// atomically through [Source.Replace]: delete, load, and commit only if the
// loaded rows match the manifest's row count and digest. With a Source that
// is a [GroupReplacer] (sqlsource is), the selected partitions of one key
// (a tenant's rows in several tables) are restored together in one
// transaction, in the order of the foreign keys between them, and commit
// only together. Partitions run in
// parallel ([Parallelism]), report progress ([OnProgress]), and may be
// paused and resumed around their restore ([PauseResume]). Partitions not
// selected are never touched.
//
// Each committed partition is recorded in a journal in the store (see
// [ID]); a restore that was interrupted at any point resumes when run
// again with the same arguments, skipping what it already restored and
// still matches the snapshot (a partition damaged again since is restored
// again). The
// partitions that failed are listed in the plan and in the error, one
// [*PartitionError] each; rerunning retries only those.
func Restore(ctx context.Context, src Source, store Store, m *Manifest, selection []Partition, opts ...RestoreOption) (*Plan, error) {
	r, err := newRestore(ctx, "Restore", src, store, m, selection, opts, true)
	if err != nil {
		return nil, err
	}
	defer r.cd.Close()
	if err := r.prepare(ctx); err != nil {
		return nil, err
	}
	if err := r.journal.begin(ctx); err != nil {
		return nil, fmt.Errorf("snapshot: Restore: %w", err)
	}
	return r.plan, r.apply(ctx)
}

// restore is one Diff or Restore: its inputs, then the state each stage
// hands to the next.
type restore struct {
	op     string
	src    Source
	store  Store
	m      *Manifest
	o      options
	log    logger
	sel    []Partition        // normalized selection
	writes bool               // Restore, not Diff
	added  map[Partition]bool // by IncludeDependents
	left   []Partition        // dependents it would add, without it
	cd     *codec
	cache  *chunkCache // chunks the check verified, kept for the apply; nil for Diff

	journal *journal
	done    map[Partition]bool // restored by an earlier run under this journal
	plan    *Plan

	mu     sync.Mutex
	failed []error // *PartitionError, one per failed partition
}

func newRestore(ctx context.Context, op string, src Source, store Store, m *Manifest, selection []Partition, opts []RestoreOption, apply bool) (*restore, error) {
	o, err := restoreOptions(op, opts)
	if err != nil {
		return nil, err
	}
	if src == nil || store == nil || m == nil {
		return nil, fmt.Errorf("snapshot: %s: nil Source, Store or Manifest: %w", op, ErrConfig)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("snapshot: %s: %w: %v", op, ErrBadManifest, err)
	}
	sel, err := selectFrom(op, m, selection)
	if err != nil {
		return nil, err
	}
	var added map[Partition]bool
	var left []Partition
	if o.dependents {
		if sel, added, err = withDependents(ctx, op, src, m, sel); err != nil {
			return nil, err
		}
	} else if _, ok := src.(dependentser); ok {
		// Only to show them: the same search, its additions left out.
		all, more, err := withDependents(ctx, op, src, m, sel)
		if err != nil {
			return nil, err
		}
		for _, p := range all {
			if more[p] {
				left = append(left, p)
			}
		}
	}
	cd, err := newCodec(o.parallelism)
	if err != nil {
		return nil, err
	}
	r := &restore{op: op, src: src, store: store, m: m, o: o, log: logger{o.log}, sel: sel, cd: cd, writes: apply, added: added, left: left}
	if apply {
		// The chunks the check reads and verifies are kept (up to a memory
		// budget) for the restore itself, which then need not fetch,
		// decompress and re-hash them again.
		r.cache = newChunkCache(chunkCacheBudget)
	}
	id := o.restoreID
	if id == "" {
		id = defaultRestoreID(m, sel)
	}
	r.journal = &journal{store: store, id: id, plan: journalPlan{Snapshot: m.ID, Selection: jsonPartitions(sel)}}
	return r, nil
}

// prepare is every stage before a write: schemas, journal, then the
// snapshot's chunks and the live counts side by side.
func (r *restore) prepare(ctx context.Context) error {
	if err := checkSchemas(ctx, r.op, r.src, r.m, r.sel, r.o.forceSchema); err != nil {
		return err
	}
	done, err := r.journal.load(ctx, r.m)
	if err != nil {
		return fmt.Errorf("snapshot: %s: %w", r.op, err)
	}
	// A journal says what an earlier run restored, not what the partition
	// holds now: a second bad deploy may have damaged it since. Only a
	// partition that still matches the snapshot is skipped.
	again, err := r.recheck(ctx, done)
	if err != nil {
		return fmt.Errorf("snapshot: %s: %w", r.op, err)
	}
	r.done = done
	var todo []Partition
	for _, p := range r.sel {
		if !done[p] {
			todo = append(todo, p)
		}
	}
	// Checking the chunks (the store) and comparing with the live data (the
	// database) are independent: run them side by side. A damaged snapshot
	// is reported first.
	var (
		diffs      []PartitionDiff
		verr, derr error
		wg         sync.WaitGroup
	)
	wg.Go(func() {
		vo := r.o
		vo.cache, vo.progress, vo.sample = r.cache, nil, 0
		_, verr = verifyPartitions(ctx, r.store, r.cd, r.m, todo, vo)
	})
	diffs, derr = r.diff(ctx)
	wg.Wait()
	if verr != nil {
		r.log.damage(r.m.ID, verr)
		newMeters(r.o.meters, r.o.log).damage.Add(ctx, int64(len(problems(verr))), opAttr("restore"))
		return fmt.Errorf("snapshot: %s: refusing to restore from a damaged snapshot: %w", r.op, verr)
	}
	if derr != nil {
		return fmt.Errorf("snapshot: %s: %w", r.op, derr)
	}
	for i := range diffs {
		diffs[i].Journaled = done[diffs[i].Partition]
		diffs[i].Again = again[diffs[i].Partition]
		diffs[i].Dependent = r.added[diffs[i].Partition]
	}
	r.plan = &Plan{Snapshot: r.m.ID, RestoreID: r.journal.id, Partitions: diffs, Dependents: r.left}
	return nil
}

// dependentser is a Source that can tell which tables reference a table.
type dependentser interface {
	Dependents(ctx context.Context, table string) ([]string, error)
}

// withDependents adds to sel the snapshot's partitions of sel's keys in
// the tables that depend on sel's tables (IncludeDependents).
func withDependents(ctx context.Context, op string, src Source, m *Manifest, sel []Partition) ([]Partition, map[Partition]bool, error) {
	dep, ok := src.(dependentser)
	if !ok {
		return nil, nil, fmt.Errorf("snapshot: %s: IncludeDependents: the Source (%T) cannot tell a table's dependents: %w", op, src, ErrConfig)
	}
	in := map[Partition]bool{}
	for _, p := range sel {
		in[p] = true
	}
	added := map[Partition]bool{}
	tables := map[string][]string{}
	for _, p := range sel {
		deps, ok := tables[p.Table]
		if !ok {
			var err error
			if deps, err = dep.Dependents(ctx, p.Table); err != nil {
				return nil, nil, fmt.Errorf("snapshot: %s: dependents of %q: %w", op, clip.String(p.Table), err)
			}
			tables[p.Table] = deps
		}
		for _, t := range deps {
			d := Partition{Table: t, Key: p.Key}
			if _, ok := m.Partition(d); ok && !in[d] {
				in[d], added[d] = true, true
				sel = append(sel, d)
			}
		}
	}
	sortPartitions(sel)
	return sel, added, nil
}

// recheck dumps each partition the journal lists as restored and moves the
// ones that no longer match the snapshot from done to the returned set.
func (r *restore) recheck(ctx context.Context, done map[Partition]bool) (map[Partition]bool, error) {
	again := map[Partition]bool{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.parallelism)
	for p := range done {
		g.Go(func() error {
			pm, _ := r.m.Partition(p)
			rows, sum, err := liveDigest(gctx, r.src, p)
			if err != nil {
				return &PartitionError{Op: "recheck", Partition: p, Err: err}
			}
			if rows != pm.Rows || sum != pm.Digest {
				mu.Lock()
				again[p] = true
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for p := range again {
		delete(done, p)
	}
	return again, nil
}

// diff compares each selected partition with the live data: counts, and
// with KeyDiff the rows.
func (r *restore) diff(ctx context.Context) ([]PartitionDiff, error) {
	counts, err := liveCounts(ctx, r.src, r.sel)
	if err != nil {
		return nil, err
	}
	diffs := make([]PartitionDiff, len(r.sel))
	for i, p := range r.sel {
		pm, _ := r.m.Partition(p)
		diffs[i] = PartitionDiff{Partition: p, SnapshotRows: pm.Rows, LiveRows: counts[p]}
	}
	if !r.writes {
		if err := r.identical(ctx, diffs); err != nil {
			return nil, err
		}
	}
	if r.o.keyDiff == 0 {
		return diffs, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.parallelism)
	for i := range diffs {
		d := &diffs[i]
		g.Go(func() error {
			pm, _ := r.m.Partition(d.Partition)
			schema, _ := r.m.Schema(d.Partition.Table)
			keys, err := schema.validate()
			if err != nil {
				return err
			}
			if err := rowDiff(gctx, r.src, newPartitionReader(gctx, r.store, r.cd, pm), d, schema, keys, r.o.keyDiff); err != nil {
				return &PartitionError{Op: "diff", Partition: d.Partition, Err: err}
			}
			return nil
		})
	}
	return diffs, g.Wait()
}

// identical marks the partitions whose live rows are the snapshot's: those
// whose count matches are dumped and hashed (the rest differ already). Diff
// pays a dump per such partition so that a plan says which partitions need
// nothing; Restore does not, since its Replace finds that out as it goes.
func (r *restore) identical(ctx context.Context, diffs []PartitionDiff) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.parallelism)
	for i := range diffs {
		d := &diffs[i]
		if d.LiveRows != d.SnapshotRows {
			continue
		}
		g.Go(func() error {
			pm, _ := r.m.Partition(d.Partition)
			rows, sum, err := liveDigest(gctx, r.src, d.Partition)
			if err != nil {
				return &PartitionError{Op: "diff", Partition: d.Partition, Err: err}
			}
			d.Identical = rows == pm.Rows && sum == pm.Digest
			return nil
		})
	}
	return g.Wait()
}

// apply restores every partition not yet journaled, at most Parallelism at
// once, and reports the failed ones.
func (r *restore) apply(ctx context.Context) error {
	began := time.Now()
	r.plan.Applied = true
	rep := newReporter("restore", len(r.sel), r.o.progress)
	// The database work (pause, replace) of at most Parallelism partitions
	// runs at once. Without a resume hook, each partition's journal
	// record is then written on its own goroutine, so that the next
	// partition's load does not wait for the store (two fsyncs on a
	// DirStore); every such goroutine is waited for below.
	var g errgroup.Group
	g.SetLimit(r.o.parallelism)
	var tails sync.WaitGroup
	var todo []*PartitionManifest
	for _, p := range r.sel {
		pm, _ := r.m.Partition(p)
		if r.done[p] {
			r.plan.Skipped = append(r.plan.Skipped, p)
			rep.report(p, stageSkipped, pm.Rows, pm.Bytes, nil)
			continue
		}
		todo = append(todo, pm)
	}
	for _, unit := range r.units(todo) {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			for _, pm := range unit {
				rep.report(pm.Partition, stageStarted, 0, 0, nil)
			}
			if err := r.replace(ctx, unit); err != nil {
				for _, pm := range unit {
					r.fail(rep, pm.Partition, err)
				}
				return nil
			}
			finish := func() {
				for _, pm := range unit {
					if err := r.finish(ctx, pm); err != nil {
						r.fail(rep, pm.Partition, err)
						continue
					}
					r.mu.Lock()
					r.plan.Restored = append(r.plan.Restored, pm.Partition)
					r.mu.Unlock()
					r.log.partition("restore", pm)
					rep.report(pm.Partition, stageDone, pm.Rows, pm.Bytes, nil)
				}
			}
			if r.o.resume != nil {
				// A partition is resumed before its slot goes to the
				// next one, as the caller's pauses expect.
				finish()
				return nil
			}
			tails.Go(finish)
			return nil
		})
	}
	_ = g.Wait() // workers report through r.failed
	tails.Wait()
	sortPartitions(r.plan.Restored)
	sortPartitions(r.plan.Failed)
	r.log.restored(r.plan, time.Since(began))
	newMeters(r.o.meters, r.o.log).restored(ctx, r.m, r.plan, time.Since(began))
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	if len(r.failed) > 0 {
		sort.Slice(r.failed, func(a, b int) bool {
			return partitionLess(r.failed[a].(*PartitionError).Partition, r.failed[b].(*PartitionError).Partition)
		})
		return fmt.Errorf("snapshot: restore failed for %d partition(s): %w", len(r.failed), errors.Join(r.failed...))
	}
	return nil
}

func (r *restore) fail(rep *reporter, p Partition, err error) {
	pe := &PartitionError{Op: "restore", Partition: p, Err: err}
	r.mu.Lock()
	r.failed = append(r.failed, pe)
	r.plan.Failed = append(r.plan.Failed, p)
	r.mu.Unlock()
	r.log.failed(pe)
	rep.report(p, stageFailed, 0, 0, pe)
}

// units groups the partitions to restore into what one transaction
// restores: with a GroupReplacer, every partition of one key (a tenant
// across tables); else each partition alone.
func (r *restore) units(todo []*PartitionManifest) [][]*PartitionManifest {
	if _, ok := r.src.(GroupReplacer); !ok {
		units := make([][]*PartitionManifest, len(todo))
		for i, pm := range todo {
			units[i] = []*PartitionManifest{pm}
		}
		return units
	}
	var units [][]*PartitionManifest
	byKey := map[string]int{}
	for _, pm := range todo {
		i, ok := byKey[pm.Partition.Key]
		if !ok {
			i = len(units)
			byKey[pm.Partition.Key] = i
			units = append(units, nil)
		}
		units[i] = append(units[i], pm)
	}
	return units
}

// replace pauses a unit's partitions and replaces them atomically: the
// source commits only if the rows it loaded match the manifest's counts
// and digests.
func (r *restore) replace(ctx context.Context, unit []*PartitionManifest) error {
	if r.o.pause != nil {
		for _, pm := range unit {
			if err := r.o.pause(ctx, pm.Partition); err != nil {
				return fmt.Errorf("pause %s: %w", pm.Partition, err)
			}
		}
	}
	if len(unit) == 1 {
		pm := unit[0]
		pr := newPartitionReader(ctx, r.store, r.cd, pm)
		pr.cache = r.cache
		if err := replaceVerified(ctx, r.src, pm.Partition, pr, pm); err != nil {
			return fmt.Errorf("replace: %w", err)
		}
		return nil
	}
	byPart := make(map[Partition]*PartitionManifest, len(unit))
	parts := make([]Partition, len(unit))
	for i, pm := range unit {
		byPart[pm.Partition], parts[i] = pm, pm.Partition
	}
	rows := func(p Partition) io.Reader {
		pr := newPartitionReader(ctx, r.store, r.cd, byPart[p])
		pr.cache = r.cache
		return pr
	}
	err := r.src.(GroupReplacer).ReplaceGroup(ctx, parts, rows, func(p Partition, rows int64, sum digest) error {
		pm, ok := byPart[p]
		if !ok {
			return fmt.Errorf("verify of %s, which the group does not hold", p)
		}
		if rows != pm.Rows || sum != pm.Digest {
			return mismatch(pm, rows, sum)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("replace %d partitions of key %q in one transaction: %w", len(unit), clip.String(unit[0].Partition.Key), err)
	}
	return nil
}

// finish journals a replaced partition, then resumes it.
func (r *restore) finish(ctx context.Context, pm *PartitionManifest) error {
	// Journal before resuming, so a rerun never restores the partition
	// again over writes made after the resume.
	if err := r.journal.markDone(ctx, pm); err != nil {
		return fmt.Errorf("restored, but not journaled (a rerun will restore it again): %w", err)
	}
	if r.o.resume != nil {
		if err := r.o.resume(ctx, pm.Partition); err != nil {
			return fmt.Errorf("restored and journaled, but resume failed (resume it by hand): %w", err)
		}
	}
	return nil
}
