package blobstore_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"gocloud.dev/blob/memblob"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/blobstore"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
)

func TestMemblobConformance(t *testing.T) {
	storetest.TestStore(t, func(t testing.TB) snapshot.Store {
		b := memblob.OpenBucket(nil)
		t.Cleanup(func() { b.Close() })
		return blobstore.New(b)
	})
}

func TestOpenFileConformance(t *testing.T) {
	storetest.TestStore(t, func(t testing.TB) snapshot.Store {
		s, err := blobstore.Open(context.Background(), "file://"+filepath.ToSlash(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestOpenFileIsDirStore checks that file:// URLs and DirStore share a layout.
func TestOpenFileIsDirStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := blobstore.Open(ctx, "file://"+filepath.ToSlash(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutIfAbsent(ctx, "chunks/ab/x", strings.NewReader("v")); err != nil {
		t.Fatal(err)
	}
	d, err := snapshot.NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.(io.Closer).Close()
	if err := d.PutIfAbsent(ctx, "chunks/ab/x", strings.NewReader("w")); !errors.Is(err, snapshot.ErrExist) {
		t.Errorf("DirStore.PutIfAbsent of a key written through file:// = %v, want ErrExist", err)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, u := range []string{
		"", "nope://bucket", "/just/a/path", "file://otherhost/dir", "file:///dir?create_dir=true",
		"file:relative", "s3://%zz", "http://example.com/bucket",
	} {
		s, err := blobstore.Open(context.Background(), u)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) = nil error, want an error", u)
			continue
		}
		if !strings.HasPrefix(err.Error(), "blobstore: open") {
			t.Errorf("Open(%q) = %q, want an error starting with \"blobstore: open\"", u, err)
		}
	}
}

// TestOpenNamesTheMissingDriver: this package imports no driver, so a
// scheme whose driver the program did not import says which to import.
func TestOpenNamesTheMissingDriver(t *testing.T) {
	_, err := blobstore.Open(context.Background(), "gs://bucket")
	if err == nil || !strings.Contains(err.Error(), "gcsblob") || !strings.Contains(err.Error(), "import") {
		t.Errorf("Open(gs://) without its driver = %v, want an error naming gocloud.dev/blob/gcsblob", err)
	}
}

func TestOpenRedactsSecrets(t *testing.T) {
	_, err := blobstore.Open(context.Background(), "nope://user:hunter2@bucket?sig=secret")
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open error = %v, want an error without credentials", err)
	}
}

func TestNewNilPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "blobstore:") {
			t.Errorf("New(nil) panic = %v, want a panic prefixed with blobstore:", r)
		}
	}()
	blobstore.New(nil)
}
