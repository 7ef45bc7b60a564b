package snapshot

import "sync"

// chunkCacheBudget bounds the decompressed bytes a restore keeps from its
// up-front check of the snapshot.
const chunkCacheBudget = 64 << 20

// chunkCache holds decompressed chunks that were read and verified against
// their id (SHA-256 of the content) and size, keyed by id, up to a budget of
// bytes. A nil *chunkCache holds nothing. Safe for concurrent use; a slice
// put in it is never modified again.
type chunkCache struct {
	mu     sync.Mutex
	budget int64
	m      map[string][]byte
}

func newChunkCache(budget int64) *chunkCache {
	return &chunkCache{budget: budget, m: map[string][]byte{}}
}

// put keeps data, a verified chunk, and reports whether it did (the caller
// must then not reuse data).
func (c *chunkCache) put(id string, data []byte) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; ok || int64(len(data)) > c.budget {
		return false
	}
	c.budget -= int64(len(data))
	c.m[id] = data
	return true
}

// get returns the verified content of ref, if kept.
func (c *chunkCache) get(ref chunkRef) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	data, ok := c.m[ref.ID]
	if !ok || int64(len(data)) != ref.Size {
		return nil, false
	}
	return data, true
}
