package reaper

import (
	"context"
	"sync"

	"golang.org/x/sync/singleflight"
)

// lookups memoises shared look-ups for one sweep (or one live re-check).
type lookups struct {
	group singleflight.Group
	mu    sync.Mutex
	done  map[string]lookupResult
}

type lookupResult struct {
	v   any
	err error
}

type lookupsKey struct{}

func withLookups(ctx context.Context) context.Context {
	return context.WithValue(ctx, lookupsKey{}, &lookups{done: make(map[string]lookupResult)})
}

// Lookup runs fn once per key per sweep and shares its result, error
// included, with every observer that asks for the same key: concurrent
// callers wait for the one in flight (singleflight), later callers get the
// remembered answer. Observers use it for look-ups many resources share,
// such as "does project p-42 exist?"; prefix keys with the observer's name
// to keep them apart.
//
// The live re-check before an action starts with an empty memory, so it
// always sees fresh answers. Outside a sweep Lookup simply calls fn.
// The first caller's ctx governs the call; its error reaches every caller
// and their votes become Unknown.
func Lookup[T any](ctx context.Context, key string, fn func(context.Context) (T, error)) (T, error) {
	l, _ := ctx.Value(lookupsKey{}).(*lookups)
	if l == nil {
		return fn(ctx)
	}
	l.mu.Lock()
	r, ok := l.done[key]
	l.mu.Unlock()
	if !ok {
		v, err, _ := l.group.Do(key, func() (any, error) {
			l.mu.Lock()
			r, ok := l.done[key]
			l.mu.Unlock()
			if ok {
				return r.v, r.err
			}
			v, err := fn(ctx)
			l.mu.Lock()
			l.done[key] = lookupResult{v, err}
			l.mu.Unlock()
			return v, err
		})
		r = lookupResult{v, err}
	}
	var zero T
	if r.err != nil {
		return zero, r.err
	}
	if r.v == nil {
		return zero, nil
	}
	t, ok := r.v.(T)
	if !ok {
		panic("reaper: Lookup key " + key + " used with two different result types")
	}
	return t, nil
}
