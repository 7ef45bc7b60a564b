package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveCuts is the chunking rule written as plainly as possible: roll the
// gear hash over every byte, cut at a mask hit once Min bytes are in, or at Max.
func naiveCuts(p chunkParams, data []byte) []int {
	var cuts []int
	var h uint64
	n := 0
	for i, x := range data {
		h = h<<1 + gear[x]
		n++
		if (n >= p.Min && h&p.Mask == 0) || n == p.Max {
			cuts = append(cuts, i+1)
			h, n = 0, 0
		}
	}
	return cuts
}

// TestChunkerMatchesNaiveGear pins the chunker's optimized loop to the naive
// rule, for writes of random sizes: boundaries (and so deduplication against
// existing stores) must never change.
func TestChunkerMatchesNaiveGear(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range []chunkParams{defaultChunking, {Min: 100, Max: 1000, Mask: highBits(7)}, {Min: 10, Max: 300, Mask: highBits(4)}} {
		data := make([]byte, 3<<20)
		for i := range data {
			data[i] = byte(rng.IntN(40))
		}
		want := naiveCuts(p, data)
		var got []int
		pos := 0
		c := &chunker{p: p, emit: func(b []byte) error { pos += len(b); got = append(got, pos); return nil }}
		for off := 0; off < len(data); {
			n := min(len(data)-off, 1+rng.IntN(70000))
			c.Write(data[off : off+n])
			off += n
		}
		c.flush()
		if len(want) == 0 || want[len(want)-1] != len(data) {
			want = append(want, len(data))
		}
		if len(got) != len(want) {
			t.Fatalf("%v: %d cuts, want %d", p, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("cut %d at %d, want %d", i, got[i], want[i])
			}
		}
	}
}

// TestDecodeChunkSizeLimit pins decodeChunk's size limit on both sides: a
// chunk of exactly maxChunkSize bytes decodes, a ref one byte larger (or
// negative) is refused before decompressing.
func TestDecodeChunkSizeLimit(t *testing.T) {
	cd, err := newCodec(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cd.Close()
	data := make([]byte, maxChunkSize)
	stored := cd.enc.EncodeAll(data, nil)
	ref := chunkRef{ID: chunkID(data), Size: maxChunkSize, Stored: int64(len(stored))}
	if out, err := cd.decodeChunk(stored, ref, nil); err != nil || len(out) != maxChunkSize {
		t.Errorf("decodeChunk of a %d-byte chunk = %d bytes, %v; want it whole", maxChunkSize, len(out), err)
	}
	for _, size := range []int64{maxChunkSize + 1, -1} {
		ref.Size = size
		if _, err := cd.decodeChunk(stored, ref, nil); !errors.Is(err, ErrChunkCorrupt) || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("decodeChunk with size %d = %v; want ErrChunkCorrupt: size out of range", size, err)
		}
	}
}

// TestGearTableFixed pins the gear table: chunk boundaries, and so
// deduplication against existing stores, depend on every entry. The first
// two are splitmix64's published outputs for seed 0; the digest covers all 256.
func TestGearTableFixed(t *testing.T) {
	if gear[0] != 0xe220a8397b1dcdaf || gear[1] != 0x6e789e6aa1b965f4 {
		t.Errorf("gear[0], gear[1] = %#x, %#x; want splitmix64(0)'s 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4", gear[0], gear[1])
	}
	h := sha256.New()
	for _, x := range gear {
		binary.Write(h, binary.LittleEndian, x)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != "3843faf2c6540306294b486fda136f53cc592319b024ecb30987d6340908063b" {
		t.Errorf("gear table digest %s changed", got)
	}
}

// TestChunkCacheBudget pins the cache's budget on both sides: a chunk of
// exactly the remaining budget is kept, one byte more is not; a kept chunk
// is returned only for a ref of its size.
func TestChunkCacheBudget(t *testing.T) {
	c := newChunkCache(10)
	if c.put("a", make([]byte, 11)) || !c.put("a", make([]byte, 6)) || c.put("a", make([]byte, 1)) {
		t.Fatal("put: want 11 bytes refused, then 6 kept, then the same id refused")
	}
	if c.put("b", make([]byte, 5)) || !c.put("b", make([]byte, 4)) || c.put("c", make([]byte, 1)) {
		t.Error("put after 6 of 10 bytes: want 5 refused, 4 kept, then nothing more")
	}
	if data, ok := c.get(chunkRef{ID: "a", Size: 6}); !ok || len(data) != 6 {
		t.Errorf("get of a kept chunk = %d bytes, %v", len(data), ok)
	}
	if _, ok := c.get(chunkRef{ID: "a", Size: 5}); ok {
		t.Error("get with the wrong size returned the chunk")
	}
	var none *chunkCache
	if none.put("a", nil) {
		t.Error("a nil cache kept a chunk")
	}
	if _, ok := none.get(chunkRef{ID: "a"}); ok {
		t.Error("a nil cache returned a chunk")
	}
}

// TestValidChunkID pins the id check on every edge of its character ranges
// and its length: lowercase hex, exactly 64 characters.
func TestValidChunkID(t *testing.T) {
	for _, c := range "09af" {
		if id := strings.Repeat(string(c), 64); !validChunkID(id) {
			t.Errorf("validChunkID(%q…) = false", id[:4])
		}
	}
	for _, c := range "/:`gA" {
		if id := strings.Repeat("0", 63) + string(c); validChunkID(id) {
			t.Errorf("validChunkID(…%q) = true", id[60:])
		}
	}
	for _, n := range []int{63, 65} {
		if validChunkID(strings.Repeat("a", n)) {
			t.Errorf("validChunkID of %d characters = true", n)
		}
	}
}

// TestChunkerWriteFails: when emit fails, Write reports the bytes taken up
// to the end of the chunk that failed, as io.Writer's contract asks.
func TestChunkerWriteFails(t *testing.T) {
	boom := errors.New("boom")
	c := &chunker{p: chunkParams{Min: 10, Max: 100}, emit: func([]byte) error { return boom }}
	if n, err := c.Write(make([]byte, 250)); n != 100 || err != boom {
		t.Errorf("Write = %d, %v; want 100, %v", n, err, boom)
	}
}

// TestReadChunkLargest reads back the largest chunk there can be, whose
// random bytes do not compress: readChunk must not cut its stored form short.
func TestReadChunkLargest(t *testing.T) {
	cd, err := newCodec(1)
	if err != nil {
		t.Fatal(err)
	}
	defer cd.Close()
	data := make([]byte, maxChunkSize)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	stored := cd.enc.EncodeAll(data, nil)
	store := newMemStore()
	ref := chunkRef{ID: chunkID(data), Size: maxChunkSize, Stored: int64(len(stored))}
	store.Set(chunkKey(ref.ID), stored)
	out, err := cd.readChunk(context.Background(), store, Partition{"t", "k"}, 0, ref, nil)
	if err != nil || chunkID(out) != ref.ID {
		t.Errorf("readChunk of a %d-byte chunk stored in %d bytes: %v", maxChunkSize, len(stored), err)
	}
}
