package rollout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// FileJournal is the default durable Journal: one file per rollout series.
// The file is created (and repaired after a crash) atomically by writing a
// temporary file, fsyncing it, renaming it over the journal and fsyncing the
// directory; each record is then appended as a checksummed frame and fsynced
// before Append returns. A crash can leave only a torn last frame, which Open
// drops: the journal holds the old state or the new, never a mix.
//
// Appending (not rewriting the whole file per record) keeps a 10,000-target
// rollout linear: rewriting would copy the file 20,000 times.
type FileJournal struct {
	mu     sync.Mutex
	path   string
	f      *os.File
	recs   []Record
	broken error
}

var _ Journal = (*FileJournal)(nil)

// OpenFileJournal opens (or creates) the journal at path. It reports
// corruption that a crash cannot explain as an error wrapping ErrJournal.
func OpenFileJournal(path string) (*FileJournal, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: empty journal path", ErrJournal)
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := writeAtomic(path, []byte(journalHeader)); err != nil {
			return nil, fmt.Errorf("%w: create %s: %v", ErrJournal, path, err)
		}
		data = []byte(journalHeader)
	case err != nil:
		return nil, fmt.Errorf("%w: read %s: %v", ErrJournal, path, err)
	}
	recs, valid, err := decodeJournal(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrJournal, path, err)
	}
	if valid != len(data) { // drop the torn tail atomically
		if err := writeAtomic(path, data[:valid]); err != nil {
			return nil, fmt.Errorf("%w: repair %s: %v", ErrJournal, path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: open %s: %v", ErrJournal, path, err)
	}
	return &FileJournal{path: path, f: f, recs: recs}, nil
}

// Append writes r and fsyncs the file. After a failed write the journal
// refuses further appends; reopen it to repair.
func (j *FileJournal) Append(_ context.Context, r Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.broken != nil {
		return fmt.Errorf("%w: %s: an earlier write failed (%v); reopen the journal", ErrJournal, j.path, j.broken)
	}
	if j.f == nil {
		return fmt.Errorf("%w: %s: journal closed", ErrJournal, j.path)
	}
	frame, err := encodeRecord(nil, r)
	if err != nil {
		return fmt.Errorf("%w: encode: %v", ErrJournal, err)
	}
	if _, err := j.f.Write(frame); err != nil {
		j.broken = err
		return fmt.Errorf("%w: write %s: %v", ErrJournal, j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		j.broken = err
		return fmt.Errorf("%w: fsync %s: %v", ErrJournal, j.path, err)
	}
	j.recs = append(j.recs, r)
	return nil
}

// Load returns every record appended so far.
func (j *FileJournal) Load(context.Context) ([]Record, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Record(nil), j.recs...), nil
}

// Close closes the file. Records already appended are durable.
func (j *FileJournal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// writeAtomic replaces path with data: temp file, fsync, rename, fsync dir.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
