package snapshot

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// An Option tunes [Take], [Verify], [Diff] or [Restore]. Each function lists
// the options it reads; passing one it does not read is an error, so a
// misplaced [Apply] can never be silently ignored.
type Option interface {
	apply(*options) error
	name() string
}

type optionFunc struct {
	n string
	f func(*options) error
}

func (o optionFunc) apply(opts *options) error { return o.f(opts) }
func (o optionFunc) name() string              { return o.n }

type options struct {
	parallelism int
	id          string
	sample      float64
	cache       *chunkCache // internal: verified chunks kept by Restore's check
	progress    func(Event)
	apply       bool
	forceSchema bool
	pause       func(context.Context, Partition) error
	resume      func(context.Context, Partition) error
	keyDiff     int
	restoreID   string
	chunking    chunkParams
	now         func() time.Time
}

// Parallelism sets how many partitions are processed at once (default: the
// number of CPUs, at most 8). Read by Take, Verify, Diff and Restore.
func Parallelism(n int) Option {
	return optionFunc{"Parallelism", func(o *options) error {
		if n < 1 {
			return fmt.Errorf("snapshot: Parallelism(%d): must be at least 1", n)
		}
		o.parallelism = n
		return nil
	}}
}

// WithID names the snapshot (default: its UTC creation time and a content
// hash). The manifest is stored under "manifests/<id>.json.zst". Taking a
// snapshot again under an existing id succeeds only if the data is
// identical, which makes a crashed Take safe to rerun. Read by Take.
func WithID(id string) Option {
	return optionFunc{"WithID", func(o *options) error {
		if err := validID(id); err != nil {
			return fmt.Errorf("snapshot: WithID(%q): %w", id, err)
		}
		o.id = id
		return nil
	}}
}

// Sample makes Verify check only about this fraction (0 < f ≤ 1) of the
// chunks, chosen at random, instead of all of them. Read by Verify.
func Sample(fraction float64) Option {
	return optionFunc{"Sample", func(o *options) error {
		if !(fraction > 0 && fraction <= 1) {
			return fmt.Errorf("snapshot: Sample(%v): fraction must be in (0, 1]", fraction)
		}
		o.sample = fraction
		return nil
	}}
}

// OnProgress calls fn as partitions start and finish. Calls are serialized,
// so fn needs no locking, and must return quickly. Read by Take, Verify and
// Restore.
func OnProgress(fn func(Event)) Option {
	return optionFunc{"OnProgress", func(o *options) error {
		if fn == nil {
			return fmt.Errorf("snapshot: OnProgress(nil)")
		}
		o.progress = fn
		return nil
	}}
}

// Apply makes Restore write to the database. Without it Restore is a dry
// run: it checks everything and returns the plan, touching nothing. Read by
// Restore.
func Apply() Option {
	return optionFunc{"Apply", func(o *options) error { o.apply = true; return nil }}
}

// ForceSchema lets Restore proceed although a table's schema fingerprint
// differs from the manifest's. Read by Restore.
func ForceSchema() Option {
	return optionFunc{"ForceSchema", func(o *options) error { o.forceSchema = true; return nil }}
}

// PauseResume sets hooks that Restore calls around each partition: pause
// before it is replaced (an error skips the partition), resume after the
// restore is committed and journaled. A partition whose restore fails stays
// paused, for an operator to decide. Either hook may be nil. Read by Restore.
func PauseResume(pause, resume func(ctx context.Context, p Partition) error) Option {
	return optionFunc{"PauseResume", func(o *options) error {
		o.pause, o.resume = pause, resume
		return nil
	}}
}

// KeyDiff makes Diff (and a Restore plan) compare partitions row by row, by
// the table's key columns, reporting at most maxRows added, removed or
// changed rows per partition. Read by Diff and Restore.
func KeyDiff(maxRows int) Option {
	return optionFunc{"KeyDiff", func(o *options) error {
		if maxRows < 1 {
			return fmt.Errorf("snapshot: KeyDiff(%d): must be at least 1", maxRows)
		}
		o.keyDiff = maxRows
		return nil
	}}
}

// RestoreID names a restore's journal (default: derived from the manifest id
// and the selection). Rerunning a restore with the same id resumes it and
// never repeats a partition already restored; to restore the same partitions
// again later, use a new id. Read by Restore.
func RestoreID(id string) Option {
	return optionFunc{"RestoreID", func(o *options) error {
		if err := validID(id); err != nil {
			return fmt.Errorf("snapshot: RestoreID(%q): %w", id, err)
		}
		o.restoreID = id
		return nil
	}}
}

// withChunking overrides the chunker (tests and benchmarks only).
func withChunking(p chunkParams) Option {
	return optionFunc{"withChunking", func(o *options) error { o.chunking = p; return nil }}
}

// withClock overrides the creation time (tests and examples only).
func withClock(now func() time.Time) Option {
	return optionFunc{"withClock", func(o *options) error { o.now = now; return nil }}
}

func buildOptions(op string, opts []Option, allowed ...string) (options, error) {
	o := options{
		parallelism: min(runtime.GOMAXPROCS(0), 8),
		chunking:    defaultChunking,
		now:         time.Now,
	}
	for _, opt := range opts {
		if opt == nil {
			return o, fmt.Errorf("snapshot: %s: nil Option", op)
		}
		n := opt.name()
		if !strings.HasPrefix(n, "with") && !contains(allowed, n) {
			return o, fmt.Errorf("snapshot: %s does not accept option %s", op, n)
		}
		if err := opt.apply(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// validID accepts 1–128 characters of [A-Za-z0-9._-], not starting with '.'.
func validID(id string) error {
	if id == "" || len(id) > 128 || id[0] == '.' {
		return fmt.Errorf("%w: must be 1-128 characters of [A-Za-z0-9._-], not starting with '.'", ErrInvalidKey)
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			return fmt.Errorf("%w: character %q not allowed in an id", ErrInvalidKey, r)
		}
	}
	return nil
}
