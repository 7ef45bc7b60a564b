package storetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/internal/batch"
)

// timeout bounds each case, so a store that hangs fails instead of stalling
// the whole test binary.
const timeout = 2 * time.Minute

// A check exercises one property of a store and reports the first violation.
type check struct {
	name string
	run  func(ctx context.Context, s snapshot.Store) error
}

// checks is the suite, in the order TestStore runs it.
var checks = []check{
	{"PutGet", checkPutGet},
	{"EmptyValue", checkEmptyValue},
	{"PutExisting", checkPutExisting},
	{"ConcurrentPut", checkConcurrentPut},
	{"ConcurrentLargePut", checkConcurrentLargePut},
	{"ReadDuringPut", checkReadDuringPut},
	{"GetMissing", checkGetMissing},
	{"List", checkList},
	{"Delete", checkDelete},
	{"InvalidKeys", checkInvalidKeys},
	{"UnusualKeys", checkUnusualKeys},
	{"LargeValue", checkLargeValue},
	{"FailedWrite", checkFailedWrite},
	{"CanceledContext", checkCanceledContext},
	{"CanceledMidWrite", checkCanceledMidWrite},
}

// TestStore runs the conformance suite as subtests of t. newStore is called
// once per subtest and must return a new, empty store (register any cleanup
// with t.Cleanup).
func TestStore(t *testing.T, newStore func(t testing.TB) snapshot.Store) {
	t.Helper()
	if newStore == nil {
		panic("storetest: TestStore with nil newStore")
	}
	all := checks
	if _, ok := newStore(t).(batch.Batcher); ok {
		all = append(all[:len(all):len(all)], batchChecks...)
	}
	for _, c := range all {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			if err := c.run(ctx, newStore(t)); err != nil {
				t.Error(err)
			}
		})
	}
}

// put stores value under key and fails on any error.
func put(ctx context.Context, s snapshot.Store, key string, value []byte) error {
	if err := s.PutIfAbsent(ctx, key, bytes.NewReader(value)); err != nil {
		return fmt.Errorf("PutIfAbsent(%q, %d bytes) = %v, want nil", key, len(value), err)
	}
	return nil
}

// read returns the value stored under key.
func read(ctx context.Context, s snapshot.Store, key string) ([]byte, error) {
	r, err := s.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(r)
	if cerr := r.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("storetest: Close: %w", cerr)
	}
	return b, err
}

// wantValue checks that key holds exactly want.
func wantValue(ctx context.Context, s snapshot.Store, key string, want []byte) error {
	got, err := read(ctx, s, key)
	if err != nil {
		return fmt.Errorf("Get(%q) = %v, want its value", key, err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("Get(%q) returned %d bytes %s, want %d bytes %s",
			key, len(got), preview(got), len(want), preview(want))
	}
	return nil
}

// wantMissing checks that Get reports key as missing.
func wantMissing(ctx context.Context, s snapshot.Store, key string) error {
	r, err := s.Get(ctx, key)
	if err == nil {
		b, _ := io.ReadAll(r)
		r.Close()
		return fmt.Errorf("Get(%q) returned %d bytes %s, want an error wrapping ErrNotExist", key, len(b), preview(b))
	}
	if !errors.Is(err, snapshot.ErrNotExist) {
		return fmt.Errorf("Get(%q) = %v, want an error wrapping ErrNotExist", key, err)
	}
	return nil
}

// wantList checks that List(prefix) returns exactly want, in order.
func wantList(ctx context.Context, s snapshot.Store, prefix string, want ...string) error {
	got, err := s.List(ctx, prefix)
	if err != nil {
		return fmt.Errorf("List(%q) = %v", prefix, err)
	}
	if len(got) != len(want) {
		return fmt.Errorf("List(%q) = %q, want %q", prefix, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("List(%q) = %q, want %q", prefix, got, want)
		}
	}
	return nil
}

// noise is generated once: producing 11 MiB of randomness per case is slow
// under the race detector.
var noise = sync.OnceValue(func() []byte {
	b := make([]byte, largeSize)
	rand.NewChaCha8([32]byte{'s', 't', 'o', 'r', 'e'}).Read(b)
	return b
})

// randomBytes returns n reproducible pseudo-random bytes, distinct for each
// seed (which is written into the first bytes).
func randomBytes(seed uint64, n int) []byte {
	if n > largeSize {
		panic("storetest: randomBytes: too large")
	}
	b := bytes.Clone(noise()[:n])
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	copy(b, s[:])
	return b
}

func preview(b []byte) string {
	if len(b) > 16 {
		return fmt.Sprintf("%q…", b[:16])
	}
	return fmt.Sprintf("%q", b)
}
