package snapshot

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"
)

// A Scratcher is a Source that can make scratch tables for a [Rehearsal]
// (snapshot/sqlsource's Source is one).
type Scratcher interface {
	Source
	// Scratch creates an empty table with schema s, as the snapshot
	// recorded it, under a new name that no live table has, and returns
	// that name, which the Source then serves, and a function that drops it.
	Scratch(ctx context.Context, s Schema) (table string, drop func(context.Context) error, err error)
}

// Rehearsal makes Verify prove that the snapshot restores: it restores
// every partition into scratch tables of into (the same database as the
// live one, or another), each in one transaction that commits only if the
// rows loaded there match the manifest's count and digest, then drops the
// scratch tables. The live tables are never touched, nor the restore
// journal. The report's Duration is what the restore costs. Every chunk is
// read and checked on the way, so [Sample] does not apply.
func Rehearsal(into Scratcher) VerifyOption {
	return verifyOption(func(o *options) {
		if into == nil {
			o.invalid("Rehearsal(nil)")
			return
		}
		o.scratch = into
	})
}

// rehearse restores every partition of m into scratch tables of into.
func rehearse(ctx context.Context, into Scratcher, store Store, cd *codec, m *Manifest, o options) (rep VerifyReport, err error) {
	if o.sample > 0 && o.sample < 1 {
		return rep, fmt.Errorf("snapshot: Verify: Sample and Rehearsal exclude each other: %w", ErrConfig)
	}
	// Scratch tables first, each dropped whatever happens after.
	scratch := map[string]string{}
	for _, t := range m.tables {
		name, drop, err := into.Scratch(ctx, t.Schema)
		if err != nil {
			return rep, fmt.Errorf("snapshot: Verify: rehearsal: table %q: %w", t.Schema.Table, err)
		}
		defer func() {
			if derr := drop(context.WithoutCancel(ctx)); derr != nil {
				err = errors.Join(err, fmt.Errorf("snapshot: Verify: rehearsal: %w", derr))
			}
		}()
		if name == t.Schema.Table {
			return rep, fmt.Errorf("snapshot: Verify: rehearsal: scratch table of %q has the live table's name", name)
		}
		scratch[t.Schema.Table] = name
	}
	var (
		mu       sync.Mutex
		problems []error
	)
	progress := newReporter("rehearse", len(m.Partitions), o.progress)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.parallelism)
	for i := range m.Partitions {
		pm := &m.Partitions[i]
		g.Go(func() error {
			progress.report(pm.Partition, stageStarted, 0, 0, nil)
			into := Partition{Table: scratch[pm.Partition.Table], Key: pm.Partition.Key}
			r := newPartitionReader(gctx, store, cd, pm)
			err := replaceVerified(gctx, o.scratch, into, r, pm)
			if gctx.Err() != nil {
				return gctx.Err()
			}
			mu.Lock()
			defer mu.Unlock()
			rep.Partitions++
			rep.Chunks += len(pm.chunks)
			rep.Bytes += pm.Bytes
			if err != nil {
				pe := &PartitionError{Op: "rehearse", Partition: pm.Partition, Err: err}
				problems = append(problems, pe)
				logger{o.log}.failed(pe)
				progress.report(pm.Partition, stageFailed, 0, 0, pe)
				return nil
			}
			rep.Rehearsed++
			logger{o.log}.partition("rehearse", pm)
			progress.report(pm.Partition, stageDone, pm.Rows, pm.Bytes, nil)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return rep, err
	}
	if len(problems) > 0 {
		return rep, fmt.Errorf("snapshot: rehearsal failed for %d partition(s): %w", len(problems), errors.Join(problems...))
	}
	return rep, nil
}

// replaceVerified loads r, partition pm of a snapshot, into partition p of
// src, committing only if the loaded rows match pm's count and digest.
func replaceVerified(ctx context.Context, src Source, p Partition, r *partitionReader, pm *PartitionManifest) error {
	return src.Replace(ctx, p, r, func(rows int64, sum digest) error {
		if rows != pm.Rows || sum != pm.Digest {
			return mismatch(pm, rows, sum)
		}
		return nil
	})
}
