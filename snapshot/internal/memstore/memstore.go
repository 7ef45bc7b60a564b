// Package memstore is the module's one in-memory snapshot Store, for tests
// and benchmarks (storetest.NewMemStore exports it). It validates keys like
// every other Store.
package memstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/deploysafe/deploysafe/snapshot/internal/storekey"
)

// Store is an in-memory snapshot.Store, safe for concurrent use.
type Store struct {
	mu sync.Mutex
	m  map[string][]byte
}

// New returns an empty Store.
func New() *Store { return &Store{m: map[string][]byte{}} }

// PutIfAbsent implements snapshot.Store.
func (s *Store) PutIfAbsent(ctx context.Context, key string, data io.Reader) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := storekey.Check(key); err != nil {
		return err
	}
	if data == nil {
		return fmt.Errorf("memstore: put %q: nil reader", key)
	}
	b, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[key]; ok {
		return fmt.Errorf("memstore: put %q: %w", key, storekey.ErrExist)
	}
	s.m[key] = b
	return nil
}

// Get implements snapshot.Store.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := storekey.Check(key); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[key]
	if !ok {
		return nil, fmt.Errorf("memstore: get %q: %w", key, storekey.ErrNotExist)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// List implements snapshot.Store.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
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

// Delete implements snapshot.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := storekey.Check(key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// BytesUnder sums the sizes of the values whose keys start with prefix.
func (s *Store) BytesUnder(prefix string) int64 {
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

// Set stores b under key, replacing any value: tests use it to damage a store.
func (s *Store) Set(key string, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = b
}

// Contents returns a copy of every key and value.
func (s *Store) Contents() map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := make(map[string][]byte, len(s.m))
	for k, v := range s.m {
		c[k] = v
	}
	return c
}

// Clone returns a copy of the store.
func (s *Store) Clone() *Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := New()
	for k, v := range s.m {
		c.m[k] = v
	}
	return c
}
