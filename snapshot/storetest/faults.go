package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot"
)

// errBroken is returned by a value reader that fails part-way.
var errBroken = errors.New("storetest: reader broke")

// filler is the content brokenReader streams.
var filler = bytes.Repeat([]byte("x"), 32<<10)

// brokenReader returns n bytes of data, then err. If cancel is set, it is
// called when the reader first reaches n.
type brokenReader struct {
	n      int
	err    error
	cancel context.CancelFunc
}

func (r *brokenReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		if r.cancel != nil {
			r.cancel()
			r.cancel = nil
		}
		if r.err == nil {
			return copy(p, filler), nil // keep streaming after cancellation
		}
		return 0, r.err
	}
	n := copy(p[:min(len(p), r.n)], filler)
	r.n -= n
	return n, nil
}

// checkFailedWrite: a value whose reader fails must not be stored, the
// reader's error must reach the caller, and the key must stay writable.
func checkFailedWrite(ctx context.Context, s snapshot.Store) error {
	for _, n := range []int{0, 1 << 20, 9 << 20} { // 9 MiB: an S3 multipart upload
		err := s.PutIfAbsent(ctx, "broken", &brokenReader{n: n, err: errBroken})
		if !errors.Is(err, errBroken) {
			return fmt.Errorf("PutIfAbsent with a reader failing after %d bytes = %v, want an error wrapping the reader's error", n, err)
		}
		if err := wantMissing(ctx, s, "broken"); err != nil {
			return fmt.Errorf("after a failed write of %d bytes: %w", n, err)
		}
	}
	if err := wantList(ctx, s, ""); err != nil {
		return fmt.Errorf("after failed writes: %w", err)
	}
	if err := put(ctx, s, "broken", []byte("whole")); err != nil {
		return fmt.Errorf("after failed writes: %w", err)
	}
	return wantValue(ctx, s, "broken", []byte("whole"))
}

func checkCanceledContext(ctx context.Context, s snapshot.Store) error {
	if err := put(ctx, s, "present", []byte("v")); err != nil {
		return err
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.PutIfAbsent(canceled, "new", strings.NewReader("v")); !errors.Is(err, context.Canceled) {
		return fmt.Errorf("PutIfAbsent with a canceled context = %v, want an error wrapping context.Canceled", err)
	}
	if r, err := s.Get(canceled, "present"); !errors.Is(err, context.Canceled) {
		if err == nil {
			r.Close()
		}
		return fmt.Errorf("storetest: Get with a canceled context = %v, want an error wrapping context.Canceled", err)
	}
	if _, err := s.List(canceled, ""); !errors.Is(err, context.Canceled) {
		return fmt.Errorf("storetest: List with a canceled context = %v, want an error wrapping context.Canceled", err)
	}
	if err := s.Delete(canceled, "present"); !errors.Is(err, context.Canceled) {
		return fmt.Errorf("storetest: Delete with a canceled context = %v, want an error wrapping context.Canceled", err)
	}
	if err := wantMissing(ctx, s, "new"); err != nil {
		return fmt.Errorf("after a canceled PutIfAbsent: %w", err)
	}
	return wantValue(ctx, s, "present", []byte("v"))
}

// checkCanceledMidWrite cancels the context while the value streams in: the
// write must fail with the context's error and leave nothing behind.
func checkCanceledMidWrite(ctx context.Context, s snapshot.Store) error {
	for _, n := range []int{64 << 10, 6 << 20} {
		wctx, cancel := context.WithCancel(ctx)
		r := io.LimitReader(&brokenReader{n: n, cancel: cancel}, int64(n)+8<<20)
		err := s.PutIfAbsent(wctx, "canceled", r)
		cancel()
		if !errors.Is(err, context.Canceled) {
			return fmt.Errorf("PutIfAbsent canceled after %d bytes = %v, want an error wrapping context.Canceled", n, err)
		}
		if err := wantMissing(ctx, s, "canceled"); err != nil {
			return fmt.Errorf("after a write canceled at %d bytes: %w", n, err)
		}
	}
	return wantList(ctx, s, "")
}
