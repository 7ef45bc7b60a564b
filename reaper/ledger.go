package reaper

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Ledger stores the reaper's memory (grace streaks, quarantines, pending
// actions, halts, shadow progress) as one opaque blob. Store must replace
// the blob atomically: after a crash at any point, Load returns either the
// old blob or the new one. The reaper frames the blob with a length and a
// checksum and refuses to act on one that does not verify.
//
// Load returns (nil, nil) when nothing has been stored yet.
type Ledger interface {
	Load(ctx context.Context) ([]byte, error)
	Store(ctx context.Context, blob []byte) error
}

// FileLedger is a Ledger in one file. Store writes a temporary file in the
// same directory, fsyncs it, renames it over the ledger and fsyncs the
// directory, so a crash leaves the old file or the new one, never a mix.
type FileLedger struct {
	path string
	mu   sync.Mutex
	ops  fileOps
}

// fileOps are the file-system steps of Store, replaceable to inject faults.
type fileOps struct {
	writeTemp func(dir string, data []byte) (string, error) // write + fsync + close
	rename    func(from, to string) error
	syncDir   func(dir string) error
}

var _ Ledger = (*FileLedger)(nil)

// NewFileLedger returns a ledger stored at path. The directory must exist.
func NewFileLedger(path string) (*FileLedger, error) {
	if path == "" {
		return nil, fmt.Errorf("reaper: NewFileLedger: empty path: %w", ErrConfig)
	}
	st, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("reaper: NewFileLedger %s: %w", path, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("reaper: NewFileLedger %s: parent is not a directory: %w", path, ErrConfig)
	}
	return &FileLedger{path: path, ops: fileOps{writeTemp: writeTemp, rename: os.Rename, syncDir: syncDir}}, nil
}

// Load reads the ledger file; a missing file is an empty ledger.
func (l *FileLedger) Load(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Store replaces the ledger file atomically and durably.
func (l *FileLedger) Store(ctx context.Context, blob []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	dir := filepath.Dir(l.path)
	tmp, err := l.ops.writeTemp(dir, blob)
	if err != nil {
		return err
	}
	if err := l.ops.rename(tmp, l.path); err != nil {
		os.Remove(tmp)
		return err
	}
	return l.ops.syncDir(dir)
}

func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, ".reaper-ledger-*.tmp")
	if err != nil {
		return "", err
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// MemoryLedger is a Ledger in memory, for tests and examples; it does not
// survive a restart of the process. The zero MemoryLedger is empty and
// ready to use.
type MemoryLedger struct {
	mu   sync.Mutex
	blob []byte
}

var _ Ledger = (*MemoryLedger)(nil)

// Load returns a copy of the stored blob.
func (m *MemoryLedger) Load(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.blob...), nil
}

// Store replaces the blob with a copy of blob.
func (m *MemoryLedger) Store(ctx context.Context, blob []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	m.blob = append([]byte(nil), blob...)
	m.mu.Unlock()
	return nil
}
