package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/deploysafe/deploysafe/snapshot/internal/memstore"
)

// newMemStore returns the module's in-memory Store.
func newMemStore() *memstore.Store { return memstore.New() }

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
	// A Take's last call removes its in-progress record; failing it fails
	// nothing (Prune treats a record older than its grace as dead), so
	// it is not one of the steps a fault must stop.
	if !strings.HasPrefix(key, "takes/") && f.hit() {
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
