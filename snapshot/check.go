package snapshot

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
)

// An Invariant is a property that must still hold after a deploy, judged by
// comparing the live data with snapshot m taken before it: live holds the
// current row count of every partition in m (one Source.Counts call per
// table; a partition that disappeared counts 0), and src is the database,
// for invariants that need to read rows. It returns the partitions that
// violate it; an error means it could not be judged, which Check reports as
// a failure. Built-ins: [RowCountDrop], [Unchanged].
type Invariant func(ctx context.Context, m *Manifest, live map[Partition]int64, src Source) ([]Violation, error)

// A Violation reports one partition that breaks an invariant.
type Violation struct {
	Invariant string // e.g. "RowCountDrop(0.1)"
	Partition Partition
	Snapshot  int64  // rows in the snapshot
	Now       int64  // rows now
	Reason    string // what is wrong, for people
}

// String describes the violation on one line.
func (v Violation) String() string {
	return fmt.Sprintf("%s: %s: %s (rows %d → %d)", v.Invariant, v.Partition, v.Reason, v.Snapshot, v.Now)
}

// liveDigest dumps partition p from src now and returns its row count and
// digest, comparable with the manifest's.
func liveDigest(ctx context.Context, src Source, p Partition) (rows int64, sum digest, err error) {
	h := sha256.New()
	rows, err = src.Dump(ctx, p, h)
	if err != nil {
		return 0, digest{}, fmt.Errorf("dump %s: %w", p, err)
	}
	copy(sum[:], h.Sum(nil))
	return rows, sum, nil
}

// Check compares the live data in src with snapshot m and returns every
// violation of the given invariants, sorted by partition. It fetches row
// counts with one round trip per table; only invariants that need more (such
// as [Unchanged]) read rows.
func Check(ctx context.Context, src Source, m *Manifest, invariants ...Invariant) ([]Violation, error) {
	if src == nil || m == nil {
		return nil, fmt.Errorf("snapshot: Check: nil Source or Manifest: %w", ErrConfig)
	}
	if len(invariants) == 0 {
		return nil, fmt.Errorf("snapshot: Check: no invariants given: %w", ErrConfig)
	}
	for i, inv := range invariants {
		if inv == nil {
			return nil, fmt.Errorf("snapshot: Check: invariant %d is nil", i)
		}
	}
	counts, err := liveCounts(ctx, src, m.Selection())
	if err != nil {
		return nil, fmt.Errorf("snapshot: Check: %w", err)
	}
	var out []Violation
	for _, inv := range invariants {
		v, err := inv(ctx, m, counts, src)
		if err != nil {
			return nil, fmt.Errorf("snapshot: Check: %w", err)
		}
		out = append(out, v...)
	}
	sort.SliceStable(out, func(i, j int) bool { return partitionLess(out[i].Partition, out[j].Partition) })
	return out, nil
}

// Damaged returns the partitions that violations name, each once, sorted:
// the selection to restore after a failed Check.
func Damaged(violations []Violation) []Partition {
	seen := map[Partition]bool{}
	var out []Partition
	for _, v := range violations {
		if !seen[v.Partition] {
			seen[v.Partition] = true
			out = append(out, v.Partition)
		}
	}
	sortPartitions(out)
	return out
}

// liveCounts fetches the current row count of each partition, one
// Source.Counts call per table.
func liveCounts(ctx context.Context, src Source, sel []Partition) (map[Partition]int64, error) {
	byTable := map[string][]string{}
	var tables []string
	for _, p := range sel {
		if _, ok := byTable[p.Table]; !ok {
			tables = append(tables, p.Table)
		}
		byTable[p.Table] = append(byTable[p.Table], p.Key)
	}
	out := make(map[Partition]int64, len(sel))
	for _, t := range tables {
		c, err := src.Counts(ctx, t, byTable[t])
		if err != nil {
			return nil, fmt.Errorf("count rows of table %q: %w", t, err)
		}
		for _, k := range byTable[t] {
			out[Partition{t, k}] = c[k]
		}
	}
	return out, nil
}

// RowCountDrop is violated by every partition whose row count fell by more
// than maxFraction (0 ≤ maxFraction < 1) of its count in the snapshot. A
// partition that vanished dropped by 1. Growth never violates it.
func RowCountDrop(maxFraction float64) Invariant {
	name := fmt.Sprintf("RowCountDrop(%g)", maxFraction)
	return func(ctx context.Context, m *Manifest, live map[Partition]int64, src Source) ([]Violation, error) {
		if !(maxFraction >= 0 && maxFraction < 1) {
			return nil, fmt.Errorf("%s: maxFraction must be in [0, 1)", name)
		}
		var out []Violation
		for _, pm := range m.Partitions {
			was, now := pm.Rows, live[pm.Partition]
			if was == 0 || now >= was {
				continue
			}
			if drop := float64(was-now) / float64(was); drop > maxFraction {
				out = append(out, Violation{Invariant: name, Partition: pm.Partition, Snapshot: was, Now: now,
					Reason: fmt.Sprintf("row count dropped %.1f%%, more than %g%%", 100*drop, 100*maxFraction)})
			}
		}
		return out, nil
	}
}

// Unchanged is violated by each of the given partitions whose rows differ in
// any way from the snapshot: use it for partitions outside a deploy's scope.
// It compares row counts first and dumps and hashes a partition only when
// its count matches. Each partition must be in the snapshot.
func Unchanged(partitions ...Partition) Invariant {
	return func(ctx context.Context, m *Manifest, live map[Partition]int64, src Source) ([]Violation, error) {
		if len(partitions) == 0 {
			return nil, fmt.Errorf("Unchanged: %w", ErrEmptySelection)
		}
		var out []Violation
		for _, p := range partitions {
			pm, ok := m.Partition(p)
			if !ok {
				return nil, fmt.Errorf("Unchanged: partition %s is not in snapshot %s: %w", p, m.ID, ErrUnknownPartition)
			}
			v := Violation{Invariant: "Unchanged", Partition: p, Snapshot: pm.Rows, Now: live[p]}
			if v.Now != v.Snapshot {
				v.Reason = "row count changed"
				out = append(out, v)
				continue
			}
			rows, sum, err := liveDigest(ctx, src, p)
			if err != nil {
				return nil, fmt.Errorf("Unchanged: %w", err)
			}
			if rows != pm.Rows || sum != pm.Digest {
				v.Now, v.Reason = rows, "contents changed (digest differs)"
				out = append(out, v)
			}
		}
		return out, nil
	}
}
