package snapshot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"
)

// A PartitionDiff compares one partition of a snapshot with the live data.
type PartitionDiff struct {
	Partition    Partition
	SnapshotRows int64
	LiveRows     int64
	Rows         *RowDiff // row-level differences; nil unless KeyDiff was given
}

// A RowDiff lists rows that differ, matched by the table's key columns.
// The counts are exact; the lists hold at most the KeyDiff limit each.
type RowDiff struct {
	Added, Removed, Changed int         // rows only live, only in the snapshot, or different
	AddedRows               []Row       // first rows only live
	RemovedRows             []Row       // first rows only in the snapshot
	ChangedRows             []RowChange // first rows that differ
}

// Truncated reports whether some differing rows are counted but not listed.
func (d *RowDiff) Truncated() bool {
	return len(d.AddedRows) < d.Added || len(d.RemovedRows) < d.Removed || len(d.ChangedRows) < d.Changed
}

// Equal reports whether no row differs.
func (d *RowDiff) Equal() bool { return d.Added == 0 && d.Removed == 0 && d.Changed == 0 }

// A RowChange is a row whose key exists on both sides with different values.
type RowChange struct {
	Key            []string // the row's key column values
	Snapshot, Live Row
	Columns        []ColumnChange // the columns that differ
	Diff           string         // cmp.Diff(Snapshot, Live): "-" snapshot, "+" live
}

// A ColumnChange is one column of a changed row.
type ColumnChange struct {
	Name           string
	Snapshot, Live sql.NullString
}

// String shows the column with its snapshot and live values.
func (c ColumnChange) String() string {
	return fmt.Sprintf("%s %s → %s", c.Name, showValue(c.Snapshot), showValue(c.Live))
}

// A DiffReport compares a snapshot with the live data, partition by partition.
type DiffReport struct {
	Partitions []PartitionDiff // in selection order (sorted)
}

// String renders the report as a table, with row-level differences below
// each partition when there are any.
func (r *DiffReport) String() string {
	var b strings.Builder
	w := len("PARTITION")
	for _, d := range r.Partitions {
		w = max(w, len(d.Partition.String()))
	}
	fmt.Fprintf(&b, "%-*s %10s %10s %8s\n", w, "PARTITION", "SNAPSHOT", "LIVE", "DELTA")
	for _, d := range r.Partitions {
		fmt.Fprintf(&b, "%-*s %10d %10d %+8d\n", w, d.Partition, d.SnapshotRows, d.LiveRows, d.LiveRows-d.SnapshotRows)
		if d.Rows == nil || d.Rows.Equal() {
			continue
		}
		fmt.Fprintf(&b, "  rows: %d added, %d removed, %d changed\n", d.Rows.Added, d.Rows.Removed, d.Rows.Changed)
		for _, row := range d.Rows.RemovedRows {
			fmt.Fprintf(&b, "  - %s\n", showRow(row))
		}
		for _, row := range d.Rows.AddedRows {
			fmt.Fprintf(&b, "  + %s\n", showRow(row))
		}
		for _, c := range d.Rows.ChangedRows {
			cols := make([]string, len(c.Columns))
			for i, col := range c.Columns {
				cols[i] = col.String()
			}
			fmt.Fprintf(&b, "  ~ %s: %s\n", strings.Join(c.Key, " "), strings.Join(cols, ", "))
		}
		if d.Rows.Truncated() {
			b.WriteString("  … (more rows differ)\n")
		}
	}
	return b.String()
}

// Diff compares the selected partitions of snapshot m with the live data in
// src: row counts (one Source.Counts call per table), and with [KeyDiff]
// row by row, matched on the table's key columns. A row-level diff holds one
// partition of the snapshot in memory at a time per worker.
//
// Options: [Parallelism], [KeyDiff].
func Diff(ctx context.Context, src Source, store Store, m *Manifest, selection []Partition, opts ...Option) (*DiffReport, error) {
	o, err := buildOptions("Diff", opts, "Parallelism", "KeyDiff")
	if err != nil {
		return nil, err
	}
	if src == nil || store == nil || m == nil {
		return nil, errors.New("snapshot: Diff: nil Source, Store or Manifest")
	}
	sel, err := selectFrom("Diff", m, selection)
	if err != nil {
		return nil, err
	}
	return diff(ctx, src, store, m, sel, o)
}

// selectFrom normalizes a selection and checks every partition is in m.
func selectFrom(op string, m *Manifest, selection []Partition) ([]Partition, error) {
	sel, err := normalize(op, selection)
	if err != nil {
		return nil, err
	}
	for _, p := range sel {
		if _, ok := m.Partition(p); !ok {
			return nil, fmt.Errorf("snapshot: %s: partition %s is not in snapshot %s: %w", op, p, m.ID, ErrUnknownPartition)
		}
	}
	return sel, nil
}

func diff(ctx context.Context, src Source, store Store, m *Manifest, sel []Partition, o options) (*DiffReport, error) {
	counts, err := liveCounts(ctx, src, sel)
	if err != nil {
		return nil, fmt.Errorf("snapshot: Diff: %w", err)
	}
	rep := &DiffReport{Partitions: make([]PartitionDiff, len(sel))}
	for i, p := range sel {
		pm, _ := m.Partition(p)
		rep.Partitions[i] = PartitionDiff{Partition: p, SnapshotRows: pm.Rows, LiveRows: counts[p]}
	}
	if o.keyDiff == 0 {
		return rep, nil
	}
	cd, err := newCodec(o.parallelism)
	if err != nil {
		return nil, err
	}
	defer cd.Close()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.parallelism)
	for i := range rep.Partitions {
		d := &rep.Partitions[i]
		g.Go(func() error {
			pm, _ := m.Partition(d.Partition)
			schema, _ := m.Schema(d.Partition.Table)
			keys, err := schema.validate()
			if err != nil {
				return err
			}
			rd, err := rowDiff(gctx, src, newPartitionReader(gctx, store, cd, pm), d.Partition, schema, keys, o.keyDiff)
			if err != nil {
				return &PartitionError{Op: "diff", Partition: d.Partition, Err: err}
			}
			d.Rows = rd
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return rep, nil
}
