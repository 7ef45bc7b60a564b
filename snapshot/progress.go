package snapshot

import "sync"

// Progress reports one partition's step through [OnProgress].
type Progress struct {
	Op        string // "take", "verify" or "restore"
	Partition Partition
	Stage     string // "started", "done", "skipped" (restored before, unchanged) or "failed"
	Rows      int64  // rows of the partition (when done or skipped)
	Bytes     int64  // uncompressed bytes of the partition (when done or skipped)
	Finished  int    // partitions done, skipped or failed so far, this one included
	Total     int    // partitions in the operation
	Err       error  // when failed
}

// The stages of a partition in a Progress.
const (
	stageStarted = "started"
	stageDone    = "done"
	stageSkipped = "skipped"
	stageFailed  = "failed"
)

// reporter serializes progress callbacks and counts finished partitions.
type reporter struct {
	mu       sync.Mutex
	fn       func(Progress)
	op       string
	total    int
	finished int
}

func newReporter(op string, total int, fn func(Progress)) *reporter {
	return &reporter{fn: fn, op: op, total: total}
}

func (r *reporter) report(p Partition, stage string, rows, bytes int64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if stage != stageStarted {
		r.finished++
	}
	if r.fn == nil {
		return
	}
	r.fn(Progress{Op: r.op, Partition: p, Stage: stage, Rows: rows, Bytes: bytes, Finished: r.finished, Total: r.total, Err: err})
}
