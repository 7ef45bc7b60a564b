// Package durable writes files so that a crash at any point leaves either the
// old content or the new one, never a mix, and so that a write that returned
// nil survives a power loss. It is the module's one implementation of
// "temp file, fsync, rename or link, fsync the directory".
package durable

import (
	"errors"
	"fmt"

	"io/fs"
	"os"
	"path/filepath"
)

// Step names one file-system step of a durable write, for fault injection.
type Step string

// The steps of a durable write, in order.
const (
	StepCreate  Step = "create"  // create the temporary file
	StepWrite   Step = "write"   // write the data
	StepSync    Step = "sync"    // fsync the temporary file
	StepClose   Step = "close"   // close it
	StepPublish Step = "publish" // rename (replace) or link (create) it into place
	StepSyncDir Step = "syncdir" // fsync the directory so the new entry survives
)

// Writer performs durable writes. The zero Writer uses the real file system
// and injects nothing.
type Writer struct {
	// Fault, when set, is called before each step; a non-nil error aborts
	// the write at that step, as a failing disk would. Tests only.
	Fault func(Step) error
}

func (w Writer) fault(s Step) error {
	if w.Fault == nil {
		return nil
	}
	if err := w.Fault(s); err != nil {
		return fmt.Errorf("durable: %s: %w", s, err)
	}
	return nil
}

// WriteFile replaces path with data: a temporary file in the same directory,
// written, fsynced and closed, renamed over path, then the directory fsynced.
// On error the temporary file is removed and path is unchanged.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Writer{}.WriteFile(path, data, perm)
}

// WriteFile is [WriteFile] with w's fault injection.
func (w Writer) WriteFile(path string, data []byte, perm fs.FileMode) error {
	tmp, err := w.stage(path, data, perm)
	if err != nil {
		return err
	}
	if err := w.fault(StepPublish); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("durable: rename into %s: %w", path, err)
	}
	return w.syncDir(filepath.Dir(path))
}

// ErrExist is returned by Create when path already exists.
var ErrExist = fs.ErrExist

// Create writes data to path only if path does not exist yet (put-if-absent):
// the data is staged and fsynced, then hard-linked into place, which fails if
// another writer got there first. A reader never sees a partial file. The
// error wraps [fs.ErrExist] when path exists.
func Create(path string, data []byte, perm fs.FileMode) error {
	return Writer{}.Create(path, data, perm)
}

// Create is [Create] with w's fault injection.
func (w Writer) Create(path string, data []byte, perm fs.FileMode) error {
	tmp, err := w.stage(path, data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := w.fault(StepPublish); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		return fmt.Errorf("durable: create %s: %w", path, err)
	}
	return w.syncDir(filepath.Dir(path))
}

// stage writes data to a new temporary file beside path, fsyncs and closes
// it, and returns its name.
func (w Writer) stage(path string, data []byte, perm fs.FileMode) (name string, err error) {
	if err := w.fault(StepCreate); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("durable: stage %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := w.fault(StepWrite); err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		return "", fmt.Errorf("durable: write %s: %w", f.Name(), err)
	}
	if err := f.Chmod(perm); err != nil {
		return "", fmt.Errorf("durable: chmod %s: %w", f.Name(), err)
	}
	if err := w.fault(StepSync); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("durable: fsync %s: %w", f.Name(), err)
	}
	if err := w.fault(StepClose); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("durable: close %s: %w", f.Name(), err)
	}
	return f.Name(), nil
}

func (w Writer) syncDir(dir string) error {
	if err := w.fault(StepSyncDir); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir fsyncs the directory dir, so that entries created, renamed or
// removed in it survive a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	return syncOpenDir(dir, d, err)
}

// SyncRootDir is [SyncDir] for a directory named relative to root.
func SyncRootDir(root *os.Root, dir string) error {
	d, err := root.Open(dir)
	return syncOpenDir(dir, d, err)
}

// syncOpenDir fsyncs and closes d, the directory dir as opened with err.
func syncOpenDir(dir string, d *os.File, err error) error {
	if err != nil {
		return fmt.Errorf("durable: open directory %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("durable: fsync directory %s: %w", dir, err)
	}
	return nil
}

// SyncClose fsyncs and closes f, reporting the first error.
func SyncClose(f *os.File) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil && !errors.Is(cerr, os.ErrClosed) {
		err = cerr
	}
	return err
}

// AppendSync writes p at the end of f and fsyncs it: an append-only log's
// one durable step.
func AppendSync(f *os.File, p []byte) error {
	if _, err := f.Write(p); err != nil {
		return fmt.Errorf("durable: append to %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("durable: fsync %s: %w", f.Name(), err)
	}
	return nil
}
