package snapshot

import (
	"fmt"
	"strings"
)

// A Plan compares the selected partitions of a snapshot with the live data:
// what a restore will do ([Diff]) or did ([Restore]).
type Plan struct {
	Snapshot   string          // manifest id
	RestoreID  string          // the restore's journal
	Partitions []PartitionDiff // sorted by table, then key
	Applied    bool            // written by Restore; false from Diff
	Restored   []Partition     // restored and journaled by this call
	Skipped    []Partition     // restored by an earlier run under RestoreID and unchanged since
	Failed     []Partition     // not restored; Restore's error says why
	// Dependents are the snapshot's partitions of the selected keys in
	// tables that reference a selected table, left out of the selection:
	// a restore whose deletes reach their rows is refused
	// ([IncludeDependents] adds them). Listed when the Source can tell.
	Dependents []Partition
}

// A PartitionDiff compares one partition of a snapshot with the live data.
type PartitionDiff struct {
	Partition    Partition
	SnapshotRows int64
	LiveRows     int64 // before the restore
	Journaled    bool  // already restored under the plan's RestoreID and still as the snapshot has it: skipped
	Again        bool  // restored under the plan's RestoreID before, changed since: restored again
	Identical    bool  // Diff only: the live rows are the snapshot's, byte for byte (nothing to do)
	Dependent    bool  // added to the selection by IncludeDependents
	// With [KeyDiff], rows matched by the table's key columns: how many
	// are only live, only in the snapshot, or different, and the first of
	// each ("+ …", "- …", "~ key: column old → new").
	Added, Removed, Changed int
	Rows                    []string
}

// String renders the plan as a table, with the rows that differ below each
// partition, and what a restore does with it.
func (p *Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "restore of snapshot %s (journal %s), %d partition(s)\n", p.Snapshot, p.RestoreID, len(p.Partitions))
	w := len("PARTITION")
	for _, d := range p.Partitions {
		w = max(w, len(d.Partition.String()))
	}
	fmt.Fprintf(&b, "%-*s %10s %10s %8s  %s\n", w, "PARTITION", "SNAPSHOT", "LIVE", "DELTA", "ACTION")
	journaled := 0
	for _, d := range p.Partitions {
		action := "restore"
		switch {
		case d.Journaled:
			action = "skip (restored before, still matches the snapshot)"
			journaled++
		case d.Again:
			action = "restore again (changed since it was restored)"
		case d.Identical:
			action = "nothing to do (identical)"
		}
		if d.Dependent {
			action += " (dependent)"
		}
		fmt.Fprintf(&b, "%-*s %10d %10d %+8d  %s\n", w, d.Partition, d.SnapshotRows, d.LiveRows, d.LiveRows-d.SnapshotRows, action)
		if d.Added+d.Removed+d.Changed == 0 {
			continue
		}
		fmt.Fprintf(&b, "  rows: %d added, %d removed, %d changed\n", d.Added, d.Removed, d.Changed)
		for _, r := range d.Rows {
			fmt.Fprintf(&b, "  %s\n", r)
		}
		if len(d.Rows) < d.Added+d.Removed+d.Changed {
			b.WriteString("  … (more rows differ)\n")
		}
	}
	if len(p.Dependents) > 0 {
		fmt.Fprintf(&b, "not selected, but referencing the selection: %s; a delete that reaches their rows is refused (include them: IncludeDependents, --include-dependents)\n",
			strings.Join(partitionStrings(p.Dependents, 5), ", "))
	}
	if journaled > 0 {
		fmt.Fprintf(&b, "%d partition(s) were restored before under journal %s and still match the snapshot: skipped\n", journaled, p.RestoreID)
	}
	return b.String()
}

// partitionStrings renders up to n partitions, then how many more.
func partitionStrings(ps []Partition, n int) []string {
	var out []string
	for i, p := range ps {
		if i == n {
			out = append(out, fmt.Sprintf("and %d more", len(ps)-n))
			break
		}
		out = append(out, p.String())
	}
	return out
}
