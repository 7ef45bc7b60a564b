package snapshot

import (
	"fmt"
	"sync"
)

// A Stage says where a partition is in an operation.
type Stage int

const (
	// Started: the partition's work began.
	Started Stage = iota + 1
	// Done: the partition finished (for Restore: committed and journaled).
	Done
	// Skipped: Restore found the partition already restored in its journal.
	Skipped
	// Failed: the partition's work failed; Event.Err says why.
	Failed
)

// String returns the stage name.
func (s Stage) String() string {
	switch s {
	case Started:
		return "started"
	case Done:
		return "done"
	case Skipped:
		return "skipped"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("Stage(%d)", int(s))
}

// An Event reports progress through [OnProgress].
type Event struct {
	Op        string // "take", "verify" or "restore"
	Partition Partition
	Stage     Stage
	Rows      int64 // rows of the partition (when Done or Skipped)
	Bytes     int64 // uncompressed bytes of the partition (when Done or Skipped)
	Finished  int   // partitions done, skipped or failed so far, this one included
	Total     int   // partitions in the operation
	Err       error // when Failed
}

// String describes the event on one line, for logs and progress output.
func (e Event) String() string {
	s := fmt.Sprintf("%s %d/%d %s %s", e.Op, e.Finished, e.Total, e.Partition, e.Stage)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// reporter serializes progress callbacks and counts finished partitions.
type reporter struct {
	mu       sync.Mutex
	fn       func(Event)
	op       string
	total    int
	finished int
}

func newReporter(op string, total int, fn func(Event)) *reporter {
	return &reporter{fn: fn, op: op, total: total}
}

func (r *reporter) report(p Partition, st Stage, rows, bytes int64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st != Started {
		r.finished++
	}
	if r.fn == nil {
		return
	}
	r.fn(Event{Op: r.op, Partition: p, Stage: st, Rows: rows, Bytes: bytes, Finished: r.finished, Total: r.total, Err: err})
}
