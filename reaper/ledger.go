package reaper

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/deploysafe/deploysafe/internal/durable"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// Ledger stores the reaper's memory (grace streaks, quarantines, pending
// actions, halts, shadow progress) as one opaque blob. Store must replace
// the blob atomically: after a crash at any point, Load returns either the
// old blob or the new one. The reaper frames the blob with a length and a
// checksum and refuses to act on one that does not verify.
//
// Load returns (nil, nil) when nothing has been stored yet.
//
// A Ledger shared by replicas should keep time: if it also has a method
// Now(ctx context.Context) (time.Time, error), the reaper reads the time
// from it at the start of each sweep and after each action, and stamps and
// measures grace, quarantine, backoff, retention and the listing's age on
// that clock instead of its own (package pgreaper's is the database's).
type Ledger interface {
	Load(ctx context.Context) ([]byte, error)
	Store(ctx context.Context, blob []byte) error
}

// ledgerClock is a Ledger that keeps time.
type ledgerClock interface {
	Now(ctx context.Context) (time.Time, error)
}

// FileLedger returns a Ledger in the file at path, whose directory must
// exist. Store replaces the file durably (temporary file, fsync, rename,
// fsync of the directory), so a crash leaves the old file or the new one,
// never a mix. It suits one replica; replicas share package pgreaper's.
// Its windows are measured on the replica's clock; a jump of that clock
// within a process shortens or stretches none of them (see "Clocks" in the
// package doc for exactly what is detected).
func FileLedger(path string) (Ledger, error) {
	if path == "" {
		return nil, fmt.Errorf("reaper: FileLedger: empty path: %w", ErrConfig)
	}
	st, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("reaper: FileLedger %s: %w", clip.String(path), clipPath(err))
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("reaper: FileLedger %s: parent is not a directory: %w", clip.String(path), ErrConfig)
	}
	return &fileLedger{path: path}, nil
}

type fileLedger struct {
	path string
	mu   sync.Mutex
	w    durable.Writer // tests inject faults at each step
}

// Load reads the ledger file; a missing file is an empty ledger.
func (l *fileLedger) Load(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, clipPath(err)
}

// clipPath clips the path of err if it is an *fs.PathError, so that a long
// path does not make every error long; errors.Is still sees the cause.
func clipPath(err error) error {
	pe, ok := err.(*fs.PathError)
	if !ok || len(pe.Path) <= clip.Runes {
		return err
	}
	return &fs.PathError{Op: pe.Op, Path: clip.String(pe.Path), Err: pe.Err}
}

// Store replaces the ledger file atomically and durably.
func (l *fileLedger) Store(ctx context.Context, blob []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.WriteFile(l.path, blob, 0o600)
}

// MemoryLedger returns an empty Ledger in memory, for tests and examples;
// it does not survive a restart of the process.
func MemoryLedger() Ledger { return &memoryLedger{} }

type memoryLedger struct {
	mu   sync.Mutex
	blob []byte
}

// Load returns a copy of the stored blob.
func (m *memoryLedger) Load(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.blob...), nil
}

// Store replaces the blob with a copy of blob.
func (m *memoryLedger) Store(ctx context.Context, blob []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	m.blob = append([]byte(nil), blob...)
	m.mu.Unlock()
	return nil
}
