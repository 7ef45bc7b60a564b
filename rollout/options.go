package rollout

import (
	"fmt"
	"log/slog"
)

// Option configures an Executor (New).
type Option interface{ apply(*Executor) error }

type optionFunc func(*Executor) error

func (f optionFunc) apply(e *Executor) error { return f(e) }

// Journal records progress in s (default: memory, which does not survive
// the process). Use FileJournal, or rollout/pgjournal for replicas, to
// Resume and Abort after a crash.
func Journal(s JournalStore) Option {
	return optionFunc(func(e *Executor) error {
		if s == nil {
			return fmt.Errorf("%w: Journal(nil)", ErrInvalidPlan)
		}
		e.store, e.path = s, ""
		return nil
	})
}

// FileJournal records progress in the file at path, opened by every Run,
// Resume and Abort and closed when it returns. A crash leaves at most a torn
// last record, which the next call drops.
func FileJournal(path string) Option {
	return optionFunc(func(e *Executor) error {
		if path == "" {
			return fmt.Errorf("%w: FileJournal(\"\"): empty path", ErrInvalidPlan)
		}
		e.store, e.path = nil, path
		return nil
	})
}

// Concurrency sets how many targets of one wave deploy at once (default 10).
func Concurrency(n int) Option {
	return optionFunc(func(e *Executor) error {
		if n < 1 {
			return fmt.Errorf("%w: Concurrency(%d): must be at least 1", ErrInvalidPlan, n)
		}
		e.limit = n
		return nil
	})
}

// OnEvent calls fn for every step. Calls are never concurrent; fn must not
// block for long, since the rollout waits for it.
func OnEvent(fn func(Event)) Option {
	return optionFunc(func(e *Executor) error { e.onEvent = fn; return nil })
}

// Logger logs every step to l: targets at Debug, waves and the outcome at
// Info, failures and rollbacks at Warn (default: silent).
func Logger(l *slog.Logger) Option {
	return optionFunc(func(e *Executor) error { e.logger = l; return nil })
}
