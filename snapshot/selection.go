package snapshot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

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

// normalize returns the selection sorted, refusing an empty one and duplicates.
func normalize(op string, selection []Partition) ([]Partition, error) {
	if len(selection) == 0 {
		return nil, fmt.Errorf("snapshot: %s: %w", op, ErrEmptySelection)
	}
	sel := append([]Partition(nil), selection...)
	sort.Slice(sel, func(i, j int) bool { return partitionLess(sel[i], sel[j]) })
	for i, p := range sel {
		if p.Table == "" {
			return nil, fmt.Errorf("snapshot: %s: partition %q has no table", op, p.Key)
		}
		if i > 0 && sel[i-1] == p {
			return nil, fmt.Errorf("snapshot: %s: partition %s selected twice", op, p)
		}
	}
	return sel, nil
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

func sortPartitions(ps []Partition) {
	sort.Slice(ps, func(a, b int) bool { return partitionLess(ps[a], ps[b]) })
}
