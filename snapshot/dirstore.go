package snapshot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/deploysafe/deploysafe/internal/ctxio"
	"github.com/deploysafe/deploysafe/internal/durable"
	"github.com/deploysafe/deploysafe/snapshot/internal/storekey"
)

// stagingDir is the directory, directly under a DirStore's root, where values
// are written before they are linked under their key. Keys may not use it.
const stagingDir = ".tmp"

// staleAfter is how old a staging file must be before NewDirStore removes it
// as the leftover of a crashed writer, once that writer's lock is free.
const staleAfter = time.Hour

// dirStore is the Store of NewDirStore.
type dirStore struct {
	root *os.Root
	// Each open store stages its values in its own directory under .tmp,
	// holding an exclusive flock on the lock file there for as long as it
	// is open: the lock, not the age of a file, tells a live writer's
	// staging files from a crashed one's.
	session string // ".tmp/<random>"
	lock    *os.File
}

var _ Store = (*dirStore)(nil)

// NewDirStore opens a [Store] in the local directory dir, creating it if it
// does not exist: each key is a file under dir, at the key's
// slash-separated path. It is the embedded default and is safe for
// concurrent use by goroutines and by processes sharing the directory.
//
// A put writes the value to a staging file under dir/.tmp, fsyncs it, then
// hard-links it under the key (link(2) fails if the key exists, so exactly
// one of several racing writers wins) and fsyncs the key's directory. A
// reader never sees a partial value; a crash leaves at worst staging
// files, which List ignores. Each open store stages in its own directory
// and holds a file lock there until it is closed or its process dies;
// NewDirStore removes the staging files of writers whose lock is free once
// they are an hour old, so never a file that a live writer (even a Take
// that has been running for days) could still link. The directory must be
// on a file system with hard links and flock(2). Take makes its chunks
// durable together, fsyncing them in the background and each directory
// once.
//
// Every operation resolves keys through an [os.Root], so neither a key nor
// a symbolic link planted in the directory can reach a file outside it.
// Because keys are file paths, a key cannot also be a prefix directory of
// other keys: with "a/b" stored, a put of "a" fails with [ErrInvalidKey].
// The store holds dir open until it is garbage collected, or closed through
// io.Closer.
func NewDirStore(dir string) (Store, error) {
	if dir == "" {
		return nil, errors.New("snapshot: NewDirStore: empty directory name")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("snapshot: NewDirStore: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: NewDirStore: %w", err)
	}
	if err := root.Mkdir(stagingDir, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
		root.Close()
		return nil, fmt.Errorf("snapshot: NewDirStore %s: %w", dir, err)
	}
	s := &dirStore{root: root}
	s.removeStale(time.Now().Add(-staleAfter))
	if err := s.openSession(); err != nil {
		root.Close()
		return nil, fmt.Errorf("snapshot: NewDirStore %s: %w", dir, err)
	}
	return s, nil
}

// openSession makes the store's staging directory and takes its lock.
func (s *dirStore) openSession() error {
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	s.session = filepath.Join(stagingDir, "w-"+hex.EncodeToString(rnd[:]))
	if err := s.root.Mkdir(s.session, 0o750); err != nil {
		return err
	}
	f, err := s.root.OpenFile(filepath.Join(s.session, "lock"), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	_ = tryLock(f) // held until Close; without locks, staging directories are never cleaned
	s.lock = f
	return nil
}

// Close releases the root directory and the staging lock, and removes the
// store's staging directory. The store must not be used afterwards.
func (s *dirStore) Close() error {
	s.root.Remove(filepath.Join(s.session, "lock"))
	s.root.Remove(s.session)
	s.lock.Close()
	return s.root.Close()
}

// PutIfAbsent implements [Store].
func (s *dirStore) PutIfAbsent(ctx context.Context, key string, data io.Reader) (err error) {
	if err := s.checkKey(key); err != nil {
		return err
	}
	if data == nil {
		return fmt.Errorf("snapshot: dirstore: put %q: nil reader", key)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Cheap early answer for content-addressed chunks that are already stored;
	// the link below is what guarantees put-if-absent.
	if _, err := s.root.Lstat(filepath.FromSlash(key)); err == nil {
		return s.existErr(key)
	}
	f, tmp, err := s.writeStaging(ctx, data)
	if err == nil {
		err = durable.SyncClose(f)
	}
	if tmp != "" {
		defer s.root.Remove(tmp)
	}
	if err != nil {
		return fmt.Errorf("snapshot: dirstore: put %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dir := path.Dir(key)
	if err := s.mkdirAll(dir); err != nil {
		if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("snapshot: dirstore: put %q: a parent of the key is itself a key: %w", key, ErrInvalidKey)
		}
		return fmt.Errorf("snapshot: dirstore: put %q: %w", key, err)
	}
	if err := s.root.Link(tmp, filepath.FromSlash(key)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return s.existErr(key)
		}
		return fmt.Errorf("snapshot: dirstore: put %q: %w", key, err)
	}
	if err := s.syncDir(dir); err != nil {
		return fmt.Errorf("snapshot: dirstore: put %q: %w", key, err)
	}
	return nil
}

// existErr reports ErrExist for key, or ErrInvalidKey if key is a directory
// holding other keys.
func (s *dirStore) existErr(key string) error {
	if fi, err := s.root.Lstat(filepath.FromSlash(key)); err == nil && fi.IsDir() {
		return fmt.Errorf("snapshot: dirstore: put %q: the key is a prefix directory of other keys: %w", key, ErrInvalidKey)
	}
	return fmt.Errorf("snapshot: dirstore: put %q: %w", key, ErrExist)
}

// writeStaging copies data into a new staging file and returns it, still
// open, with its name relative to the root (the name also on error, when the
// file was created; the file is then closed).
func (s *dirStore) writeStaging(ctx context.Context, data io.Reader) (*os.File, string, error) {
	var rnd [12]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, "", err
	}
	name := filepath.Join(s.session, hex.EncodeToString(rnd[:]))
	f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if errors.Is(err, fs.ErrNotExist) {
		// Someone removed the staging directory; recreate it once.
		if err = s.root.MkdirAll(s.session, 0o750); err == nil || errors.Is(err, fs.ErrExist) {
			f, err = s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		}
	}
	if err != nil {
		return nil, "", err
	}
	if err := writeAll(ctx, f, data); err != nil {
		f.Close()
		return nil, name, err
	}
	return f, name, nil
}

// inMemory is a reader whose bytes are already in memory: *bytes.Reader,
// *bytes.Buffer, *strings.Reader.
type inMemory interface {
	io.WriterTo
	Len() int
}

// copyBufs are writeAll's buffers for streamed values.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// writeAll writes data to f: an in-memory value (a chunk, a manifest) in one
// write, a stream through a pooled buffer with ctx checked between reads.
// (io.Copy would go through os.File's ReadFrom and allocate a fresh 32 KiB
// buffer per value: a measurable share of a Take's CPU.)
func writeAll(ctx context.Context, f *os.File, data io.Reader) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if m, ok := data.(inMemory); ok {
		_, err := m.WriteTo(f)
		return err
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	_, err := io.CopyBuffer(struct{ io.Writer }{f}, ctxio.Reader(ctx, data), *buf)
	return err
}

// mkdirAll creates dir (slash-separated, relative to the root) and, when it
// had to create it, fsyncs the parents so the new entries survive a crash.
func (s *dirStore) mkdirAll(dir string) error {
	created, err := s.ensureDir(dir)
	if err != nil || !created {
		return err
	}
	for _, d := range parents(dir) {
		if err := s.syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// ensureDir creates dir and its parents as needed, without syncing, and
// reports whether it had to.
func (s *dirStore) ensureDir(dir string) (bool, error) {
	if dir == "." {
		return false, nil
	}
	if fi, err := s.root.Stat(filepath.FromSlash(dir)); err == nil && fi.IsDir() {
		return false, nil
	}
	return true, s.root.MkdirAll(filepath.FromSlash(dir), 0o750)
}

// parents returns the directories above dir, nearest first, ending with ".".
func parents(dir string) []string {
	var ps []string
	for d := path.Dir(dir); ; d = path.Dir(d) {
		ps = append(ps, d)
		if d == "." {
			return ps
		}
	}
}

func (s *dirStore) syncDir(dir string) error {
	return durable.SyncRootDir(s.root, filepath.FromSlash(dir))
}

// Get implements [Store].
func (s *dirStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := s.checkKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := s.root.Open(filepath.FromSlash(key))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, fmt.Errorf("snapshot: dirstore: get %q: %w", key, ErrNotExist)
		}
		return nil, fmt.Errorf("snapshot: dirstore: get %q: %w", key, err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("snapshot: dirstore: get %q: %w", key, err)
		}
		return nil, fmt.Errorf("snapshot: dirstore: get %q: %w", key, ErrNotExist)
	}
	return f, nil
}

// List implements [Store]. It walks only the directory that holds the prefix.
func (s *dirStore) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := "."
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = prefix[:i]
		if s.checkKey(start) != nil {
			return nil, nil // no valid key lives under it
		}
	}
	var keys []string
	err := fs.WalkDir(s.root.FS(), start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p == stagingDir || (p != start && !strings.HasPrefix(p+"/", prefix) && !strings.HasPrefix(prefix, p+"/")) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && strings.HasPrefix(p, prefix) {
			keys = append(keys, p)
		}
		return nil
	})
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("snapshot: dirstore: list %q: %w", prefix, err)
	}
	sort.Strings(keys)
	return keys, nil
}

// Delete implements [Store]. Directories left empty are kept.
func (s *dirStore) Delete(ctx context.Context, key string) error {
	if err := s.checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fi, err := s.root.Lstat(filepath.FromSlash(key))
	if err != nil || fi.IsDir() {
		if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil
		}
		return fmt.Errorf("snapshot: dirstore: delete %q: %w", key, err)
	}
	if err := s.root.Remove(filepath.FromSlash(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("snapshot: dirstore: delete %q: %w", key, err)
	}
	return s.syncDir(path.Dir(key))
}

// removeStale deletes the staging files of writers that are gone, once
// they were last modified before cutoff: those in a writer's directory
// whose lock is free (a live writer holds its lock until it closes the
// store; the kernel drops it when the process dies), and loose ones left
// by earlier versions. Errors are ignored: a leftover staging file costs
// disk space, never correctness.
func (s *dirStore) removeStale(cutoff time.Time) {
	ents, err := fs.ReadDir(s.root.FS(), stagingDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		p := filepath.Join(stagingDir, e.Name())
		if !e.IsDir() {
			if fi, err := e.Info(); err == nil && fi.ModTime().Before(cutoff) {
				s.root.Remove(p)
			}
			continue
		}
		s.removeSession(p, cutoff)
	}
}

// removeSession removes the old files of a dead writer's staging directory,
// and the directory once it is empty.
func (s *dirStore) removeSession(dir string, cutoff time.Time) {
	lock, err := s.root.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR, 0)
	if err != nil {
		return // no lock: cannot tell whether its writer is alive
	}
	defer lock.Close()
	if tryLock(lock) != nil {
		return // its writer is alive
	}
	ents, err := fs.ReadDir(s.root.FS(), dir)
	if err != nil {
		return
	}
	left := 0
	for _, e := range ents {
		fi, err := e.Info()
		if e.Name() == "lock" || err != nil || !fi.ModTime().Before(cutoff) {
			left++
			continue
		}
		s.root.Remove(filepath.Join(dir, e.Name()))
	}
	if left == 1 { // only the lock
		s.root.Remove(filepath.Join(dir, "lock"))
		s.root.Remove(dir)
	}
}

func (s *dirStore) checkKey(key string) error {
	if err := storekey.Check(key); err != nil {
		return err
	}
	if key == stagingDir || strings.HasPrefix(key, stagingDir+"/") {
		return fmt.Errorf("%w %q: %s/ is reserved by DirStore", ErrInvalidKey, key, stagingDir)
	}
	return nil
}
