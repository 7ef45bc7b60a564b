package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// memStore is an in-memory Store for tests.
type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMemStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "..") {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	b, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[key]; ok {
		return fmt.Errorf("put %q: %w", key, ErrExist)
	}
	s.m[key] = b
	return nil
}

func (s *memStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[key]
	if !ok {
		return nil, fmt.Errorf("get %q: %w", key, ErrNotExist)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (s *memStore) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
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
	return keys, nil
}

func (s *memStore) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// bytesUnder sums the sizes of the values whose keys start with prefix.
func (s *memStore) bytesUnder(prefix string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for k, v := range s.m {
		if strings.HasPrefix(k, prefix) {
			n += int64(len(v))
		}
	}
	return n
}

func (s *memStore) set(key string, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = b
}

func (s *memStore) clone() *memStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := newMemStore()
	for k, v := range s.m {
		c.m[k] = v
	}
	return c
}

var errInjected = errors.New("injected fault")

// faultStore wraps a Store and fails the n-th call (counting from 1) to any
// method. With afterEffect, the failing call takes effect first and then
// reports failure: a crash after the write landed, before its reply.
// With cancel set, the n-th call cancels the context instead of failing.
type faultStore struct {
	Store
	mu          sync.Mutex
	calls, n    int
	afterEffect bool
	cancel      context.CancelFunc
}

func (f *faultStore) hit() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls == f.n {
		if f.cancel != nil {
			f.cancel()
			return false
		}
		return true
	}
	return false
}

func (f *faultStore) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	if f.hit() {
		if f.afterEffect {
			_ = f.Store.PutIfAbsent(ctx, key, data)
		}
		return fmt.Errorf("put %q: %w", key, errInjected)
	}
	return f.Store.PutIfAbsent(ctx, key, data)
}

func (f *faultStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if f.hit() {
		return nil, fmt.Errorf("get %q: %w", key, errInjected)
	}
	return f.Store.Get(ctx, key)
}

func (f *faultStore) List(ctx context.Context, prefix string) ([]string, error) {
	if f.hit() {
		return nil, fmt.Errorf("list %q: %w", prefix, errInjected)
	}
	return f.Store.List(ctx, prefix)
}

func (f *faultStore) Delete(ctx context.Context, key string) error {
	if f.hit() {
		return fmt.Errorf("delete %q: %w", key, errInjected)
	}
	return f.Store.Delete(ctx, key)
}

// downStore is a store that cannot be reached.
type downStore struct{}

var errDown = errors.New("dial tcp 127.0.0.1:9: connection refused")

func (downStore) PutIfAbsent(context.Context, string, io.Reader) error { return errDown }
func (downStore) Get(context.Context, string) (io.ReadCloser, error)   { return nil, errDown }
func (downStore) List(context.Context, string) ([]string, error)       { return nil, errDown }
func (downStore) Delete(context.Context, string) error                 { return errDown }
