package storetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/internal/storekey"
)

// The racing checks start goroutines; all must have ended.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// mapStore is a correct in-memory Store; its flags break it on purpose to
// prove that the suite notices.
type mapStore struct {
	mu sync.Mutex
	m  map[string][]byte

	overwrite   bool // PutIfAbsent replaces existing values
	streaming   bool // values become visible while they are written
	noKeyCheck  bool // keys are not validated
	unsorted    bool // List returns keys in reverse order
	deleteFails bool // Delete of a missing key is an error
	ignoreCtx   bool // contexts are not consulted
}

func (s *mapStore) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	if err := s.check(ctx, key); err != nil {
		return err
	}
	s.mu.Lock()
	_, ok := s.m[key]
	s.mu.Unlock()
	if ok && !s.overwrite {
		return fmt.Errorf("put %q: %w", key, snapshot.ErrExist)
	}
	var buf bytes.Buffer
	for {
		if !s.ignoreCtx && ctx.Err() != nil {
			return ctx.Err()
		}
		n, err := io.CopyN(&buf, data, 1<<20)
		if s.streaming {
			s.mu.Lock()
			s.m[key] = bytes.Clone(buf.Bytes())
			s.mu.Unlock()
			time.Sleep(2 * time.Millisecond) // let readers see the partial value
		}
		if err == io.EOF || (n == 0 && err == nil) {
			break
		}
		if err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[key]; ok && !s.overwrite && !s.streaming {
		return fmt.Errorf("put %q: %w", key, snapshot.ErrExist)
	}
	s.m[key] = buf.Bytes()
	return nil
}

func (s *mapStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := s.check(ctx, key); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, fmt.Errorf("get %q: %w", key, snapshot.ErrNotExist)
	}
	return io.NopCloser(bytes.NewReader(v)), nil
}

func (s *mapStore) List(ctx context.Context, prefix string) ([]string, error) {
	if err := s.check(ctx, "x"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if s.unsorted {
		sort.Sort(sort.Reverse(sort.StringSlice(keys)))
	}
	return keys, nil
}

func (s *mapStore) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx, key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[key]; !ok && s.deleteFails {
		return fmt.Errorf("delete %q: %w", key, snapshot.ErrNotExist)
	}
	delete(s.m, key)
	return nil
}

func (s *mapStore) check(ctx context.Context, key string) error {
	if !s.noKeyCheck {
		if err := storekey.Check(key); err != nil {
			return err
		}
	}
	if !s.ignoreCtx {
		return ctx.Err()
	}
	return nil
}

func TestReferenceStorePasses(t *testing.T) {
	TestStore(t, func(testing.TB) snapshot.Store { return &mapStore{m: map[string][]byte{}} })
}

// TestSuiteCatchesBrokenStores runs the checks against stores broken on
// purpose: each must be failed by the checks named.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	cases := []struct {
		name  string
		store func() *mapStore
		fails []string
	}{
		{"overwrite", func() *mapStore { return &mapStore{overwrite: true} }, []string{"PutExisting", "ConcurrentPut", "ConcurrentLargePut"}},
		{"streaming", func() *mapStore { return &mapStore{streaming: true} }, []string{"ReadDuringPut", "FailedWrite", "CanceledMidWrite"}},
		{"noKeyCheck", func() *mapStore { return &mapStore{noKeyCheck: true} }, []string{"InvalidKeys"}},
		{"unsorted", func() *mapStore { return &mapStore{unsorted: true} }, []string{"List", "UnusualKeys"}},
		{"deleteFails", func() *mapStore { return &mapStore{deleteFails: true} }, []string{"Delete"}},
		{"ignoreCtx", func() *mapStore { return &mapStore{ignoreCtx: true} }, []string{"CanceledContext", "CanceledMidWrite"}},
	}
	for _, c := range cases {
		for _, name := range c.fails {
			ck := find(t, name)
			s := c.store()
			s.m = map[string][]byte{}
			if err := ck.run(context.Background(), s); err == nil {
				t.Errorf("check %s passed a store with %s, want a failure", name, c.name)
			}
		}
	}
}

func find(t *testing.T, name string) check {
	t.Helper()
	for _, c := range append(checks[:len(checks):len(checks)], batchChecks...) {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("no check named %q", name)
	return check{}
}
