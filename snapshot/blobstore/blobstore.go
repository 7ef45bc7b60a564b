package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/deploysafe/deploysafe/internal/ctxio"
	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/internal/storekey"
)

// Store is a [snapshot.Store] on a gocloud.dev/blob bucket. It is safe for
// concurrent use. The zero value is not usable: call [Open] or [New].
//
// Keys map one to one to object names, so a Store and a
// [snapshot.NewDirStore] directory hold the same keys for the same snapshot.
type Store struct {
	bucket *blob.Bucket
	dir    snapshot.Store // instead of bucket, for file:// URLs: a NewDirStore
	owned  bool           // Close closes bucket: Open opened it
}

var _ snapshot.Store = (*Store)(nil)

// New returns a Store on bucket. The caller keeps ownership of bucket:
// Store.Close does not close it.
//
// Put-if-absent is only as strong as the bucket driver's
// blob.WriterOptions.IfNotExist. S3 (If-None-Match: *), GCS (generation
// precondition), Azure (If-None-Match) and memblob make it atomic. gocloud's
// fileblob (v0.46) does not: it checks with stat and then renames, so two
// racing writers can both succeed, the second overwriting the first. For a
// local directory use [Open] with a file:// URL or [snapshot.NewDirStore].
func New(bucket *blob.Bucket) *Store {
	if bucket == nil {
		panic("blobstore: New with nil bucket")
	}
	return &Store{bucket: bucket}
}

// Close closes the bucket if Open opened it.
func (s *Store) Close() error {
	if c, ok := s.dir.(io.Closer); ok {
		return c.Close()
	}
	if !s.owned {
		return nil
	}
	if err := s.bucket.Close(); err != nil {
		return fmt.Errorf("blobstore: close: %w", err)
	}
	return nil
}

// PutIfAbsent implements [snapshot.Store]. It asks the bucket whether key
// exists first, so that storing an unchanged chunk uploads nothing; the
// conditional write (IfNotExist) is what makes put-if-absent hold against
// racing writers.
func (s *Store) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	if s.dir != nil {
		return s.dir.PutIfAbsent(ctx, key, data)
	}
	if err := storekey.Check(key); err != nil {
		return err
	}
	if data == nil {
		return fmt.Errorf("blobstore: put %q: nil reader", key)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if ok, err := s.bucket.Exists(ctx, key); err != nil {
		return s.fail(ctx, "put", key, err)
	} else if ok {
		return fmt.Errorf("blobstore: put %q: %w", key, snapshot.ErrExist)
	}
	// Cancelling wctx before Close aborts the upload: a value whose reader
	// fails part-way is never committed.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, key, &blob.WriterOptions{
		ContentType: "application/octet-stream",
		IfNotExist:  true,
	})
	if err != nil {
		return s.fail(ctx, "put", key, err)
	}
	if _, err := io.Copy(w, ctxio.Reader(ctx, data)); err != nil {
		cancel()
		w.Close()
		return s.fail(ctx, "put", key, err)
	}
	if err := w.Close(); err != nil {
		return s.lostRace(ctx, key, s.fail(ctx, "put", key, err))
	}
	return nil
}

// lostRace turns a failed conditional write into ErrExist when the key now
// exists. A gateway may refuse a conditional write with 412 before it has
// read the body and close the connection, so the client sees "connection
// reset" instead of the 412 (versitygw v1.8.0 does so for multi-MiB values).
func (s *Store) lostRace(ctx context.Context, key string, err error) error {
	if errors.Is(err, snapshot.ErrExist) || ctx.Err() != nil {
		return err
	}
	if ok, xerr := s.bucket.Exists(ctx, key); xerr == nil && ok {
		return fmt.Errorf("blobstore: put %q: %w (the write failed with: %v)", key, snapshot.ErrExist, err)
	}
	return err
}

// Get implements [snapshot.Store]. The returned reader reads under ctx:
// cancelling ctx stops it.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if s.dir != nil {
		return s.dir.Get(ctx, key)
	}
	if err := storekey.Check(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return nil, s.fail(ctx, "get", key, err)
	}
	return r, nil
}

// List implements [snapshot.Store].
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	if s.dir != nil {
		return s.dir.List(ctx, prefix)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 && storekey.Check(prefix[:i]) != nil {
		return nil, nil // no valid key lives under it
	}
	var keys []string
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, s.fail(ctx, "list", prefix, err)
		}
		if !obj.IsDir {
			keys = append(keys, obj.Key)
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// Delete implements [snapshot.Store].
func (s *Store) Delete(ctx context.Context, key string) error {
	if s.dir != nil {
		return s.dir.Delete(ctx, key)
	}
	if err := storekey.Check(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.bucket.Delete(ctx, key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return s.fail(ctx, "delete", key, err)
	}
	return nil
}

// fail wraps err from operation op on key, mapping the bucket's error codes
// onto the snapshot sentinels and a cancelled ctx onto its error.
func (s *Store) fail(ctx context.Context, op, key string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("blobstore: %s %q: %w (%v)", op, key, ctxErr, err)
	}
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		if op == "get" {
			return fmt.Errorf("blobstore: %s %q: %w", op, key, snapshot.ErrNotExist)
		}
	case gcerrors.FailedPrecondition:
		if op == "put" {
			return fmt.Errorf("blobstore: %s %q: %w", op, key, snapshot.ErrExist)
		}
	}
	return fmt.Errorf("blobstore: %s %q: %w", op, key, err)
}
