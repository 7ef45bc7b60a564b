package snapshot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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
		out = append(out, TableSchema{Schema: s, Fingerprint: s.fingerprint()})
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

// unknownOnce names the selected partitions that do not exist, once per
// Take: the first partition whose dump is empty or fails asks the source
// about the whole selection, so that one error lists every mistyped key.
type unknownOnce struct {
	once   sync.Once
	result error // wraps ErrUnknownPartition; read only after the dumps
}

// check is called when p's dump failed with dumpErr or wrote no rows. It
// returns the error to report for p: the unknown partitions of the whole
// selection if there are any, else dumpErr, else (p was emptied after the
// source was asked) ErrUnknownPartition for p alone.
func (u *unknownOnce) check(ctx context.Context, src Source, sel []Partition, p Partition, dumpErr error) error {
	u.once.Do(func() {
		if err := checkPartitions(ctx, src, sel); errors.Is(err, ErrUnknownPartition) {
			u.result = err
		}
	})
	switch {
	case u.result != nil:
		return u.result
	case dumpErr != nil:
		return dumpErr
	}
	return fmt.Errorf("snapshot: Take: table %q has no partition %q: %w", p.Table, p.Key, ErrUnknownPartition)
}
