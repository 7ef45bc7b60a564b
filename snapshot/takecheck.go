package snapshot

import (
	"context"
	"fmt"
	"strings"
)

// describeTables fetches and validates the schema of every selected table.
func describeTables(ctx context.Context, src Source, sel []Partition) ([]TableSchema, error) {
	var out []TableSchema
	for _, r := range tableRuns(sel) {
		table := sel[r[0]].Table
		s, err := src.Schema(ctx, table)
		if err != nil {
			return nil, fmt.Errorf("snapshot: Take: table %q: %w", table, err)
		}
		if s.Table != table {
			return nil, fmt.Errorf("snapshot: Take: source described table %q as %q", table, s.Table)
		}
		if _, err := s.validate(); err != nil {
			return nil, fmt.Errorf("snapshot: Take: %w", err)
		}
		out = append(out, TableSchema{Schema: s, Fingerprint: s.Fingerprint()})
	}
	return out, nil
}

// tableRuns returns the [start, end) ranges of the sorted selection that
// share a table.
func tableRuns(sel []Partition) [][2]int {
	var runs [][2]int
	for i := 0; i < len(sel); {
		j := i
		for j < len(sel) && sel[j].Table == sel[i].Table {
			j++
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	return runs
}

// checkPartitions reports, as [ErrUnknownPartition], selected partitions
// that have no rows in src. It asks Counts for exactly the selected keys (an
// indexed query) rather than listing every partition of the table, which
// costs a scan of the whole table.
func checkPartitions(ctx context.Context, src Source, sel []Partition) error {
	for _, r := range tableRuns(sel) {
		table := sel[r[0]].Table
		want := make([]string, 0, r[1]-r[0])
		for _, p := range sel[r[0]:r[1]] {
			want = append(want, p.Key)
		}
		counts, err := src.Counts(ctx, table, want)
		if err != nil {
			// A key the database cannot even parse (say "abc" for an
			// integer column) fails Counts: fall back to the listing, so
			// that it is reported as an unknown partition.
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			keys, lerr := src.Partitions(ctx, table)
			if lerr != nil {
				return fmt.Errorf("snapshot: Take: table %q: list partitions: %w", table, lerr)
			}
			counts = make(map[string]int64, len(keys))
			for _, k := range keys {
				counts[k] = 1
			}
		}
		var missing []string
		for _, p := range sel[r[0]:r[1]] {
			if counts[p.Key] <= 0 {
				missing = append(missing, fmt.Sprintf("%q", p.Key))
			}
		}
		if len(missing) > 0 {
			if len(missing) > 10 {
				missing = append(missing[:10], fmt.Sprintf("and %d more", len(missing)-10))
			}
			return fmt.Errorf("snapshot: Take: table %q has no partition %s: %w", table, strings.Join(missing, ", "), ErrUnknownPartition)
		}
	}
	return nil
}
