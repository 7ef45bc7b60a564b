package durable

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

var errDisk = errors.New("disk on fire")

var steps = []Step{StepCreate, StepWrite, StepSync, StepClose, StepPublish, StepSyncDir}

// A failure at any step leaves the old content (or, at the directory fsync,
// the new one: the rename happened) and no temporary file behind.
func TestWriteFileFaultAtEveryStep(t *testing.T) {
	for _, step := range steps {
		t.Run(string(step), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state")
			if err := WriteFile(path, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			w := Writer{Fault: func(s Step) error {
				if s == step {
					return errDisk
				}
				return nil
			}}
			err := w.WriteFile(path, []byte("new"), 0o600)
			if !errors.Is(err, errDisk) {
				t.Fatalf("WriteFile with a fault at %s = %v, want %v", step, err, errDisk)
			}
			got, _ := os.ReadFile(path)
			want := "old"
			if step == StepSyncDir {
				want = "new"
			}
			if string(got) != want {
				t.Errorf("after a fault at %s the file holds %q, want %q", step, got, want)
			}
			assertOnly(t, dir, "state")
		})
	}
}

func TestWriteFileReplacesWithPerm(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	for _, s := range []string{"one", "two"} {
		if err := WriteFile(path, []byte(s), 0o640); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != s {
			t.Fatalf("read %q, %v; want %q", got, err, s)
		}
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
}

func TestCreateIsPutIfAbsent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k")
	if err := Create(path, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Create(path, []byte("second"), 0o600)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Create = %v, want fs.ErrExist", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "first" {
		t.Errorf("file holds %q, want the first writer's", got)
	}
	assertOnly(t, dir, "k")
}

func TestCreateFaultAtEveryStep(t *testing.T) {
	for _, step := range steps {
		t.Run(string(step), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "k")
			w := Writer{Fault: func(s Step) error {
				if s == step {
					return errDisk
				}
				return nil
			}}
			if err := w.Create(path, []byte("v"), 0o600); !errors.Is(err, errDisk) {
				t.Fatalf("Create with a fault at %s = %v", step, err)
			}
			_, err := os.Stat(path)
			if exists := err == nil; exists != (step == StepSyncDir) {
				t.Errorf("after a fault at %s the key exists = %v", step, exists)
			}
			if step == StepSyncDir {
				assertOnly(t, dir, "k")
			} else {
				assertOnly(t, dir)
			}
		})
	}
}

func TestErrorsNameThePath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "f")
	err := WriteFile(missing, nil, 0o600)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("WriteFile into a missing directory = %v, want fs.ErrNotExist", err)
	}
	if err := SyncDir(filepath.Dir(missing)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("SyncDir of a missing directory = %v", err)
	}
}

func TestAppendSyncAndSyncClose(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a", "b"} {
		if err := AppendSync(f, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := SyncClose(f); err != nil {
		t.Fatal(err)
	}
	if err := AppendSync(f, []byte("c")); err == nil {
		t.Error("AppendSync on a closed file succeeded")
	}
	got, _ := os.ReadFile(f.Name())
	if string(got) != "ab" {
		t.Errorf("log holds %q, want ab", got)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := SyncRootDir(root, "."); err != nil {
		t.Error(err)
	}
	if err := SyncRootDir(root, "missing"); err == nil {
		t.Error("SyncRootDir of a missing directory succeeded")
	}
}

// assertOnly fails unless dir holds exactly the named entries.
func assertOnly(t testing.TB, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("directory holds %v, want %v", got, names)
	}
	for i := range got {
		if got[i] != names[i] {
			t.Fatalf("directory holds %v, want %v", got, names)
		}
	}
}
