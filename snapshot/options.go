package snapshot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"

	"go.opentelemetry.io/otel/metric"
)

// A TakeOption tunes [Take].
type TakeOption interface{ applyTake(*options) }

// A VerifyOption tunes [Verify].
type VerifyOption interface{ applyVerify(*options) }

// A RestoreOption tunes [Restore] and [Diff] (the plan of a restore).
type RestoreOption interface{ applyRestore(*options) }

// option is valid for every entry point: it is a TakeOption, a VerifyOption
// and a RestoreOption.
type option func(*options)

func (f option) applyTake(o *options)    { f(o) }
func (f option) applyVerify(o *options)  { f(o) }
func (f option) applyRestore(o *options) { f(o) }

type takeOption func(*options)

func (f takeOption) applyTake(o *options) { f(o) }

type verifyOption func(*options)

func (f verifyOption) applyVerify(o *options) { f(o) }

type restoreOption func(*options)

func (f restoreOption) applyRestore(o *options) { f(o) }

type options struct {
	parallelism int
	id          string
	sample      float64
	cache       *chunkCache // internal: verified chunks kept by Restore's check
	progress    func(Progress)
	forceSchema bool
	pause       func(context.Context, Partition) error
	resume      func(context.Context, Partition) error
	keyDiff     int
	restoreID   string
	dependents  bool
	scratch     Scratcher
	chunking    chunkParams
	log         *slog.Logger
	meters      metric.MeterProvider
	err         error // the options' invalid values, joined
}

func (o *options) invalid(format string, args ...any) {
	o.err = errors.Join(o.err, fmt.Errorf("snapshot: "+format+": %w", append(args, ErrConfig)...))
}

// Parallelism sets how many partitions are processed at once (default: the
// number of CPUs, at most 8). It is a TakeOption, VerifyOption and RestoreOption.
func Parallelism(n int) option {
	return func(o *options) {
		if n < 1 {
			o.invalid("Parallelism(%d): must be at least 1", n)
			return
		}
		o.parallelism = n
	}
}

// OnProgress calls fn as partitions start and finish. Calls are serialized,
// so fn needs no locking, and must return quickly. It is a TakeOption,
// VerifyOption and RestoreOption.
func OnProgress(fn func(Progress)) option {
	return func(o *options) {
		if fn == nil {
			o.invalid("OnProgress(nil)")
			return
		}
		o.progress = fn
	}
}

// Logger sends the operation's log to l: a summary at Info, each partition
// at Debug, damage and failed partitions at Warn and Error. Without it (or
// with nil) the package logs nothing. It is a TakeOption, VerifyOption and
// RestoreOption.
func Logger(l *slog.Logger) option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// MeterProvider records the operation's metrics (see the package
// documentation) through mp; nil or absent means the global provider, a
// no-op until the application installs one. It is a TakeOption,
// VerifyOption and RestoreOption.
func MeterProvider(mp metric.MeterProvider) option {
	return func(o *options) { o.meters = mp }
}

// ID names what the call makes. For Take, the snapshot (default: its UTC
// creation time and a content hash): the manifest is stored under
// "manifests/<id>.json.zst", and taking a snapshot again under an existing
// id succeeds only if the data is identical, which makes a crashed Take
// safe to rerun. For Restore, its journal (default: derived from the
// manifest id and the selection): rerunning a restore with the same id
// resumes it; a partition it already restored is dumped and compared with
// the snapshot, and skipped only if it still matches, one damaged since is
// restored again (PartitionDiff.Again).
func ID(id string) idOption {
	return func(o *options) {
		if err := validID(id); err != nil {
			o.err = errors.Join(o.err, fmt.Errorf("snapshot: ID(%q): %w: %w", id, ErrConfig, err))
			return
		}
		o.id, o.restoreID = id, id
	}
}

// idOption is ID's: a TakeOption and a RestoreOption.
type idOption func(*options)

func (f idOption) applyTake(o *options)    { f(o) }
func (f idOption) applyRestore(o *options) { f(o) }

// withChunking overrides the chunker (tests and benchmarks only).
func withChunking(p chunkParams) TakeOption {
	return takeOption(func(o *options) { o.chunking = p })
}

// Sample makes Verify check only about this fraction (0 < f ≤ 1) of the
// chunks, chosen at random, instead of all of them.
func Sample(fraction float64) VerifyOption {
	return verifyOption(func(o *options) {
		if !(fraction > 0 && fraction <= 1) {
			o.invalid("Sample(%v): fraction must be in (0, 1]", fraction)
			return
		}
		o.sample = fraction
	})
}

// ForceSchema lets Restore proceed although a table's schema fingerprint
// differs from the manifest's.
func ForceSchema() RestoreOption {
	return restoreOption(func(o *options) { o.forceSchema = true })
}

// PauseResume sets hooks that Restore calls around each partition: pause
// before it is replaced (an error skips the partition), resume after the
// restore is committed and journaled. A partition whose restore fails stays
// paused, for an operator to decide. Either hook may be nil.
func PauseResume(pause, resume func(ctx context.Context, p Partition) error) RestoreOption {
	return restoreOption(func(o *options) { o.pause, o.resume = pause, resume })
}

// KeyDiff makes Diff (and Restore's plan) compare partitions row by row, by
// the table's key columns, listing at most maxRows added, removed or
// changed rows per partition.
func KeyDiff(maxRows int) RestoreOption {
	return restoreOption(func(o *options) {
		if maxRows < 1 {
			o.invalid("KeyDiff(%d): must be at least 1", maxRows)
			return
		}
		o.keyDiff = maxRows
	})
}

// IncludeDependents adds to a restore's selection, for each selected key,
// the partitions of that key in the snapshot's tables that reference a
// selected table through a foreign key (directly or through other tables):
// a tenant's order_items with its orders. Without it, a restore whose
// deletes would reach those rows is refused. The Source must be able to
// tell them (sqlsource can: Dependents); the plan marks them
// (PartitionDiff.Dependent).
func IncludeDependents() RestoreOption {
	return restoreOption(func(o *options) { o.dependents = true })
}

func defaults() options {
	return options{
		parallelism: min(runtime.GOMAXPROCS(0), 8),
		chunking:    defaultChunking,
		log:         slog.New(slog.DiscardHandler),
	}
}

func takeOptions(op string, opts []TakeOption) (options, error) {
	o := defaults()
	for i, opt := range opts {
		if opt == nil {
			return o, fmt.Errorf("snapshot: %s: option %d is nil: %w", op, i, ErrConfig)
		}
		opt.applyTake(&o)
	}
	return o, o.err
}

func verifyOptions(op string, opts []VerifyOption) (options, error) {
	o := defaults()
	for i, opt := range opts {
		if opt == nil {
			return o, fmt.Errorf("snapshot: %s: option %d is nil: %w", op, i, ErrConfig)
		}
		opt.applyVerify(&o)
	}
	return o, o.err
}

func restoreOptions(op string, opts []RestoreOption) (options, error) {
	o := defaults()
	for i, opt := range opts {
		if opt == nil {
			return o, fmt.Errorf("snapshot: %s: option %d is nil: %w", op, i, ErrConfig)
		}
		opt.applyRestore(&o)
	}
	return o, o.err
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
