package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/deploysafe/deploysafe/snapshot"
)

// largeSize crosses the 8 MiB part size of the AWS SDK's S3 uploads.
const largeSize = 11<<20 + 3

func checkPutGet(ctx context.Context, s snapshot.Store) error {
	for i, key := range []string{"k", "chunks/ab/abcdef", "deep/a/b/c/d/e"} {
		if err := put(ctx, s, key, randomBytes(uint64(i), 1000+i)); err != nil {
			return err
		}
	}
	for i, key := range []string{"k", "chunks/ab/abcdef", "deep/a/b/c/d/e"} {
		if err := wantValue(ctx, s, key, randomBytes(uint64(i), 1000+i)); err != nil {
			return err
		}
	}
	return nil
}

func checkEmptyValue(ctx context.Context, s snapshot.Store) error {
	if err := put(ctx, s, "empty", nil); err != nil {
		return err
	}
	if err := wantValue(ctx, s, "empty", []byte{}); err != nil {
		return err
	}
	return wantList(ctx, s, "", "empty")
}

func checkPutExisting(ctx context.Context, s snapshot.Store) error {
	if err := put(ctx, s, "a/k", []byte("first")); err != nil {
		return err
	}
	err := s.PutIfAbsent(ctx, "a/k", strings.NewReader("second"))
	if !errors.Is(err, snapshot.ErrExist) {
		return fmt.Errorf("second PutIfAbsent(%q) = %v, want an error wrapping ErrExist", "a/k", err)
	}
	return wantValue(ctx, s, "a/k", []byte("first"))
}

// race runs writers PutIfAbsent calls on key at once, each with its own value,
// and checks that exactly one succeeds and its value is the one stored.
func race(ctx context.Context, s snapshot.Store, key string, values [][]byte) error {
	errs := make([]error, len(values))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range values {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = s.PutIfAbsent(ctx, key, bytes.NewReader(values[i]))
		}()
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			return fmt.Errorf("PutIfAbsent(%q): writers %d and %d both succeeded, want exactly one", key, winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, snapshot.ErrExist):
			return fmt.Errorf("PutIfAbsent(%q) by a losing writer = %v, want an error wrapping ErrExist", key, err)
		}
	}
	if winner < 0 {
		return fmt.Errorf("PutIfAbsent(%q): all %d writers failed with ErrExist, want one to succeed", key, len(values))
	}
	return wantValue(ctx, s, key, values[winner])
}

func checkConcurrentPut(ctx context.Context, s snapshot.Store) error {
	for round := range 4 {
		values := make([][]byte, 8)
		for i := range values {
			values[i] = randomBytes(uint64(100*round+i), 64<<10)
		}
		if err := race(ctx, s, fmt.Sprintf("race/%d", round), values); err != nil {
			return err
		}
	}
	return nil
}

func checkConcurrentLargePut(ctx context.Context, s snapshot.Store) error {
	return race(ctx, s, "race/large", [][]byte{randomBytes(1, largeSize), randomBytes(2, largeSize)})
}

// checkReadDuringPut reads a key while it is being written: every read must
// see either no value or the whole value.
func checkReadDuringPut(ctx context.Context, s snapshot.Store) error {
	value := randomBytes(7, 2<<20)
	done := make(chan error, 1)
	go func() { done <- put(ctx, s, "atomic", value) }()
	for finished := false; !finished; {
		select {
		case err := <-done:
			if err != nil {
				return err
			}
			finished = true
		default:
		}
		got, err := read(ctx, s, "atomic")
		switch {
		case errors.Is(err, snapshot.ErrNotExist):
		case err != nil:
			return fmt.Errorf("Get(%q) during PutIfAbsent = %v, want the value or ErrNotExist", "atomic", err)
		case !bytes.Equal(got, value):
			return fmt.Errorf("Get(%q) during PutIfAbsent returned %d of %d bytes or wrong bytes: a partial value", "atomic", len(got), len(value))
		}
	}
	return wantValue(ctx, s, "atomic", value)
}

func checkGetMissing(ctx context.Context, s snapshot.Store) error {
	if err := wantMissing(ctx, s, "missing"); err != nil {
		return err
	}
	if err := put(ctx, s, "a/b", []byte("v")); err != nil {
		return err
	}
	for _, key := range []string{"a", "a/b/c", "a/bc", "b"} {
		if err := wantMissing(ctx, s, key); err != nil {
			return err
		}
	}
	return nil
}

func checkList(ctx context.Context, s snapshot.Store) error {
	// '-' < '.' < '/' < '0': lexical order is not a depth-first walk.
	keys := []string{"chunks/b/4", "a0", "chunks/ab/3", "a/b", "manifests/m1", "a.b", "chunks/aa/1", "a-b", "chunks/ab/2"}
	for i, key := range keys {
		if err := put(ctx, s, key, []byte{byte(i)}); err != nil {
			return err
		}
	}
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	cases := []struct {
		prefix string
		want   []string
	}{
		{"", sorted},
		{"a", []string{"a-b", "a.b", "a/b", "a0"}},
		{"chunks/", []string{"chunks/aa/1", "chunks/ab/2", "chunks/ab/3", "chunks/b/4"}},
		{"chunks/a", []string{"chunks/aa/1", "chunks/ab/2", "chunks/ab/3"}},
		{"chunks/ab/", []string{"chunks/ab/2", "chunks/ab/3"}},
		{"chunks/ab/3", []string{"chunks/ab/3"}},
		{"nope", nil},
		{"nope/", nil},
		{"../", nil},
		{"/", nil},
	}
	for _, c := range cases {
		if err := wantList(ctx, s, c.prefix, c.want...); err != nil {
			return err
		}
	}
	return nil
}

func checkDelete(ctx context.Context, s snapshot.Store) error {
	for _, key := range []string{"d/k", "d/keep/x"} {
		if err := put(ctx, s, key, []byte("old")); err != nil {
			return err
		}
	}
	for range 2 { // the second Delete finds nothing and must still succeed
		if err := s.Delete(ctx, "d/k"); err != nil {
			return fmt.Errorf("Delete(%q) = %v, want nil", "d/k", err)
		}
		if err := wantMissing(ctx, s, "d/k"); err != nil {
			return err
		}
	}
	for _, key := range []string{"never/was", "d/keep", "d"} {
		if err := s.Delete(ctx, key); err != nil {
			return fmt.Errorf("Delete(%q) of a missing key = %v, want nil", key, err)
		}
	}
	if err := wantList(ctx, s, "", "d/keep/x"); err != nil {
		return fmt.Errorf("after deletes: %w", err)
	}
	if err := put(ctx, s, "d/k", []byte("new")); err != nil {
		return fmt.Errorf("after Delete: %w", err)
	}
	return wantValue(ctx, s, "d/k", []byte("new"))
}

// invalidKeys are rejected by every store with ErrInvalidKey.
var invalidKeys = []string{
	"", "/", "/abs", "..", ".", "../x", "x/..", "a/../b", "./a", "a/./b",
	"a//b", "a/", `a\b`, `..\x`, "a\x00b", "bad\xffutf8", "esc/__0x41__",
}

func checkInvalidKeys(ctx context.Context, s snapshot.Store) error {
	for _, key := range invalidKeys {
		if err := s.PutIfAbsent(ctx, key, strings.NewReader("v")); !errors.Is(err, snapshot.ErrInvalidKey) {
			return fmt.Errorf("PutIfAbsent(%q) = %v, want an error wrapping ErrInvalidKey", key, err)
		}
		if _, err := s.Get(ctx, key); !errors.Is(err, snapshot.ErrInvalidKey) {
			return fmt.Errorf("Get(%q) = %v, want an error wrapping ErrInvalidKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, snapshot.ErrInvalidKey) {
			return fmt.Errorf("Delete(%q) = %v, want an error wrapping ErrInvalidKey", key, err)
		}
	}
	return wantList(ctx, s, "")
}

func checkUnusualKeys(ctx context.Context, s snapshot.Store) error {
	keys := []string{
		"manifests/2026-11-23T10:00:00Z.json", "tenant/ä ö/ü", "a+b=c&d?e#f;g",
		"pct%20x", "dots/...", "dots/..a", "emoji/🙂", "x/.hidden", "tilde~/*[]",
		"long/" + strings.Repeat("k", 200), "ctl/a\x01b\x7f",
	}
	for i, key := range keys {
		if err := put(ctx, s, key, []byte(fmt.Sprint(i))); err != nil {
			return err
		}
	}
	for i, key := range keys {
		if err := wantValue(ctx, s, key, []byte(fmt.Sprint(i))); err != nil {
			return err
		}
	}
	sort.Strings(keys)
	return wantList(ctx, s, "", keys...)
}

func checkLargeValue(ctx context.Context, s snapshot.Store) error {
	value := randomBytes(3, largeSize)
	if err := put(ctx, s, "large", value); err != nil {
		return err
	}
	return wantValue(ctx, s, "large", value)
}
