package snapshot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
)

func newDirStore(t testing.TB, dir string) snapshot.Store {
	t.Helper()
	s, err := snapshot.NewDirStore(dir)
	if err != nil {
		t.Fatalf("NewDirStore(%q): %v", dir, err)
	}
	t.Cleanup(func() { s.(io.Closer).Close() })
	return s
}

func TestDirStoreConformance(t *testing.T) {
	storetest.TestStore(t, func(t testing.TB) snapshot.Store {
		return newDirStore(t, t.TempDir())
	})
}

func TestNewDirStoreErrors(t *testing.T) {
	if _, err := snapshot.NewDirStore(""); err == nil {
		t.Error("NewDirStore(\"\") = nil error, want an error")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.NewDirStore(file); err == nil {
		t.Errorf("NewDirStore(%q) on a regular file = nil error, want an error", file)
	}
}

func TestDirStoreLayoutAndReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := newDirStore(t, dir)
	if err := s.PutIfAbsent(ctx, "chunks/ab/abc", strings.NewReader("v")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "chunks", "ab", "abc")); err != nil || string(b) != "v" {
		t.Errorf("file for key chunks/ab/abc = %q, %v; want \"v\"", b, err)
	}
	s2 := newDirStore(t, dir)
	if keys, err := s2.List(ctx, ""); err != nil || len(keys) != 1 || keys[0] != "chunks/ab/abc" {
		t.Errorf("reopened List = %q, %v; want [chunks/ab/abc]", keys, err)
	}
}

// TestDirStoreCrashLeftovers simulates a writer killed after writing its
// staging file and before linking it: the leftover is invisible, the key stays
// writable, and NewDirStore removes leftovers once they are stale.
func TestDirStoreCrashLeftovers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := newDirStore(t, dir)
	stale := filepath.Join(dir, ".tmp", "stale")
	fresh := filepath.Join(dir, ".tmp", "fresh")
	for _, f := range []string{stale, fresh} {
		if err := os.WriteFile(f, []byte("half a val"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if keys, err := s.List(ctx, ""); err != nil || len(keys) != 0 {
		t.Errorf("List with staging leftovers = %q, %v; want none", keys, err)
	}
	if keys, err := s.List(ctx, ".tmp/"); err != nil || len(keys) != 0 {
		t.Errorf("List(\".tmp/\") = %q, %v; want none", keys, err)
	}
	for _, key := range []string{".tmp", ".tmp/fresh"} {
		if _, err := s.Get(ctx, key); !errors.Is(err, snapshot.ErrInvalidKey) {
			t.Errorf("Get(%q) = %v, want ErrInvalidKey (reserved)", key, err)
		}
	}
	newDirStore(t, dir) // reopening cleans up
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale staging file after NewDirStore: Stat = %v, want it removed", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh staging file after NewDirStore: Stat = %v, want it kept (a live writer may own it)", err)
	}
	// Successful and failed writes leave no staging file behind.
	s.PutIfAbsent(ctx, "k", strings.NewReader("v"))
	s.PutIfAbsent(ctx, "k", strings.NewReader("v"))
	s.PutIfAbsent(ctx, "k2", io.MultiReader(strings.NewReader("v"), errReader{}))
	ents, err := os.ReadDir(filepath.Join(dir, ".tmp"))
	var files []string
	for _, e := range ents {
		if !e.IsDir() { // each open store's own staging directory aside
			files = append(files, e.Name())
		} else if sub, _ := os.ReadDir(filepath.Join(dir, ".tmp", e.Name())); len(sub) != 1 {
			t.Errorf("a store's staging directory holds %d entries, want only its lock", len(sub))
		}
	}
	if err != nil || len(files) != 1 || files[0] != "fresh" {
		t.Errorf("staging directory holds %v, %v; want only the fresh leftover", files, err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

// TestDirStoreSymlinkEscape plants symbolic links out of the root: no
// operation may read or write through them.
func TestDirStoreSymlinkEscape(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	if err := os.MkdirAll(outside, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "store")
	s := newDirStore(t, dir)
	if err := os.Symlink(outside, filepath.Join(dir, "evil")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "leak")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutIfAbsent(ctx, "evil/planted", strings.NewReader("x")); err == nil {
		t.Error("PutIfAbsent through a symlink out of the root succeeded, want an error")
	}
	if _, err := os.Stat(filepath.Join(outside, "planted")); err == nil {
		t.Error("PutIfAbsent wrote a file outside the root")
	}
	for _, key := range []string{"evil/secret", "leak"} {
		if r, err := s.Get(ctx, key); err == nil {
			b, _ := io.ReadAll(r)
			r.Close()
			t.Errorf("Get(%q) read %q from outside the root, want an error", key, b)
		}
	}
	if err := s.Delete(ctx, "evil/secret"); err == nil {
		if _, err := os.Stat(filepath.Join(outside, "secret")); err != nil {
			t.Error("Delete removed a file outside the root")
		}
	}
	if keys, err := s.List(ctx, ""); err != nil || len(keys) != 0 {
		t.Errorf("List = %q, %v; want no keys (symlinks are not keys)", keys, err)
	}
}

func TestDirStoreKeyIsDirectory(t *testing.T) {
	ctx := context.Background()
	s := newDirStore(t, t.TempDir())
	if err := s.PutIfAbsent(ctx, "a/b", strings.NewReader("v")); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"a", "a/b/c"} {
		err := s.PutIfAbsent(ctx, key, strings.NewReader("v"))
		if !errors.Is(err, snapshot.ErrInvalidKey) || errors.Is(err, snapshot.ErrExist) {
			t.Errorf("PutIfAbsent(%q) with key a/b stored = %v, want ErrInvalidKey (file/directory clash)", key, err)
		}
	}
}

// TestDirStoreTwoProcesses races writers through two DirStores opened on the
// same directory, as two processes would.
func TestDirStoreTwoProcesses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	stores := []snapshot.Store{newDirStore(t, dir), newDirStore(t, dir)}
	for round := range 20 {
		key := fmt.Sprintf("chunks/%02d", round)
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = stores[i%2].PutIfAbsent(ctx, key, strings.NewReader(fmt.Sprint(i)))
			}()
		}
		wg.Wait()
		winners := 0
		for _, err := range errs {
			switch {
			case err == nil:
				winners++
			case !errors.Is(err, snapshot.ErrExist):
				t.Fatalf("PutIfAbsent(%q) = %v, want nil or ErrExist", key, err)
			}
		}
		if winners != 1 {
			t.Fatalf("PutIfAbsent(%q): %d winners, want exactly 1", key, winners)
		}
	}
}

// validKey is an independent statement of the key rules, for the fuzz target.
func validKey(key string) bool {
	if key == "" || key == "." || strings.HasPrefix(key, "/") || strings.ContainsAny(key, "\\\x00") ||
		!utf8.ValidString(key) || path.Clean(key) != key || strings.Contains(key, "__0x") {
		return false
	}
	for _, elem := range strings.Split(key, "/") {
		if elem == ".." {
			return false
		}
	}
	return true
}

func FuzzDirStoreKey(f *testing.F) {
	for _, k := range []string{"a", "a/b", "../x", "/abs", "a//b", "a/./b", `a\b`, "a\x00b", ".tmp/x",
		"..", ".", "a/", "x/..", "...", "..a/b", "C:/x", "manifests/2026-11-23T10:00:00Z.json"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		ctx := context.Background()
		base := t.TempDir()
		s := newDirStore(t, filepath.Join(base, "root"))
		err := s.PutIfAbsent(ctx, key, strings.NewReader("value"))
		reserved := key == ".tmp" || strings.HasPrefix(key, ".tmp/")
		if !validKey(key) || reserved {
			if !errors.Is(err, snapshot.ErrInvalidKey) {
				t.Fatalf("PutIfAbsent(%q) = %v, want ErrInvalidKey", key, err)
			}
			if _, err := s.Get(ctx, key); !errors.Is(err, snapshot.ErrInvalidKey) {
				t.Fatalf("Get(%q) = %v, want ErrInvalidKey", key, err)
			}
		} else if err != nil {
			if errors.Is(err, snapshot.ErrInvalidKey) || !tooLong(key) {
				t.Fatalf("PutIfAbsent(%q) = %v, want nil for a valid key", key, err)
			}
			return
		}
		// Whatever happened, nothing may exist beside the root.
		if ents, err := os.ReadDir(base); err != nil || len(ents) != 1 {
			t.Fatalf("PutIfAbsent(%q) created %v beside the root (%v)", key, ents, err)
		}
		if err != nil {
			return
		}
		b, err := os.ReadFile(filepath.Join(base, "root", filepath.FromSlash(key)))
		if err != nil || string(b) != "value" {
			t.Fatalf("file for key %q = %q, %v; want \"value\" inside the root", key, b, err)
		}
		if keys, err := s.List(ctx, ""); err != nil || len(keys) != 1 || keys[0] != key {
			t.Fatalf("List = %q, %v; want [%q]", keys, err, key)
		}
	})
}

// tooLong reports whether key breaks the file system's name limits.
func tooLong(key string) bool {
	for _, elem := range strings.Split(key, "/") {
		if len(elem) > 255 {
			return true
		}
	}
	return len(key) > 4000
}

func benchValue() []byte { return bytes.Repeat([]byte("0123456789abcdef"), 1<<16) } // 1 MiB

// BenchmarkDirStore compares DirStore with plain os.WriteFile/os.ReadFile of
// 1 MiB chunks; WriteFileSync adds the fsync that crash safety needs.
func BenchmarkDirStore(b *testing.B) {
	ctx := context.Background()
	value := benchValue()
	write := map[string]func(dir string, s snapshot.Store, i int) error{
		"PutIfAbsent": func(_ string, s snapshot.Store, i int) error {
			return s.PutIfAbsent(ctx, fmt.Sprintf("chunks/%02x/%d", i%256, i), bytes.NewReader(value))
		},
		"WriteFile": func(dir string, _ snapshot.Store, i int) error {
			return os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), value, 0o640)
		},
		"WriteFileSync": func(dir string, _ snapshot.Store, i int) error {
			f, err := os.OpenFile(filepath.Join(dir, fmt.Sprint(i)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
			if err != nil {
				return err
			}
			if _, err := f.Write(value); err != nil {
				f.Close()
				return err
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		},
	}
	for _, name := range []string{"PutIfAbsent", "WriteFile", "WriteFileSync"} {
		b.Run("Write/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(value)))
			var dir string
			var s snapshot.Store
			for i := 0; b.Loop(); i++ {
				if i%64 == 0 { // bound the disk used
					b.StopTimer()
					if dir != "" {
						s.(io.Closer).Close()
						os.RemoveAll(dir)
					}
					var err error
					dir = filepath.Join(b.TempDir(), "store")
					if s, err = snapshot.NewDirStore(dir); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if err := write[name](dir, s, i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	dir := b.TempDir()
	s := newDirStore(b, dir)
	if err := s.PutIfAbsent(ctx, "chunks/00/x", bytes.NewReader(value)); err != nil {
		b.Fatal(err)
	}
	b.Run("Read/Get", func(b *testing.B) {
		b.SetBytes(int64(len(value)))
		for b.Loop() {
			r, err := s.Get(ctx, "chunks/00/x")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				b.Fatal(err)
			}
			r.Close()
		}
	})
	b.Run("Read/ReadFile", func(b *testing.B) {
		b.SetBytes(int64(len(value)))
		for b.Loop() {
			if _, err := os.ReadFile(filepath.Join(dir, "chunks", "00", "x")); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func ExampleNewDirStore() {
	dir, err := os.MkdirTemp("", "snapshots")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	store, err := snapshot.NewDirStore(dir)
	if err != nil {
		panic(err)
	}
	defer store.(io.Closer).Close()

	ctx := context.Background()
	fmt.Println(store.PutIfAbsent(ctx, "chunks/ab/abcdef", strings.NewReader("data")))
	err = store.PutIfAbsent(ctx, "chunks/ab/abcdef", strings.NewReader("other"))
	fmt.Println(errors.Is(err, snapshot.ErrExist))
	err = store.PutIfAbsent(ctx, "../etc/passwd", strings.NewReader("x"))
	fmt.Println(errors.Is(err, snapshot.ErrInvalidKey))
	keys, _ := store.List(ctx, "chunks/")
	fmt.Println(keys)
	// Output:
	// <nil>
	// true
	// true
	// [chunks/ab/abcdef]
}
