package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"sync"

	"github.com/deploysafe/deploysafe/snapshot/internal/rowcodec"
)

// fakeSource is an in-memory Source: one table "orders" whose rows, per
// partition, are kept as canonical lines sorted by key (the id column,
// zero-padded so that string order is numeric order).
type fakeSource struct {
	mu     sync.Mutex
	schema Schema
	data   map[Partition][]string

	// Fault hooks, all optional. dumpErr fails a Dump after it wrote half its
	// rows; beforeCommit fails Replace before commit (rollback); afterCommit
	// fails it after commit (a crash after the commit landed).
	dumpErr      func(p Partition) error
	beforeCommit func(p Partition) error
	afterCommit  func(p Partition) error

	replaces map[Partition]int // Replace calls per partition
	commits  map[Partition]int // committed Replaces per partition
	dumps    int
}

var ordersSchema = Schema{
	Table:           "orders",
	Columns:         []string{"tenant", "id", "sku", "qty", "note"},
	Types:           []string{"text", "bigint", "text", "integer", "text"},
	PartitionColumn: "tenant",
	KeyColumns:      []string{"id"},
}

// newFakeSource makes tenants t000… with rowsPer rows each.
func newFakeSource(tenants, rowsPer int, seed uint64) *fakeSource {
	f := &fakeSource{schema: ordersSchema, data: map[Partition][]string{}, replaces: map[Partition]int{}, commits: map[Partition]int{}}
	rng := rand.New(rand.NewPCG(seed, 1))
	for t := range tenants {
		p := Partition{"orders", fmt.Sprintf("t%03d", t)}
		for i := range rowsPer {
			f.data[p] = append(f.data[p], fakeRow(rng, p.Key, i))
		}
	}
	return f
}

func fakeRow(rng *rand.Rand, tenant string, id int) string {
	note := sql.NullString{String: fmt.Sprintf("note %d\twith tab\\and backslash", rng.IntN(1000)), Valid: rng.IntN(4) != 0}
	return string(rowcodec.Append(nil, rowcodec.Row{
		{String: tenant, Valid: true},
		{String: fmt.Sprintf("%08d", id), Valid: true},
		{String: fmt.Sprintf("sku-%d", rng.IntN(5000)), Valid: true},
		{String: fmt.Sprint(rng.IntN(100)), Valid: true},
		note,
	}))
}

func (f *fakeSource) partitions() []Partition {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ps []Partition
	for p := range f.data {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return partitionLess(ps[i], ps[j]) })
	return ps
}

func (f *fakeSource) Schema(ctx context.Context, table string) (Schema, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if table != f.schema.Table {
		return Schema{}, fmt.Errorf("fake: no table %q", table)
	}
	return f.schema, nil
}

func (f *fakeSource) Partitions(ctx context.Context, table string) ([]string, error) {
	var keys []string
	for _, p := range f.partitions() {
		if p.Table == table && f.count(p) > 0 {
			keys = append(keys, p.Key)
		}
	}
	return keys, nil
}

func (f *fakeSource) count(p Partition) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.data[p])
}

func (f *fakeSource) Dump(ctx context.Context, p Partition, w io.Writer) (int64, error) {
	f.mu.Lock()
	lines := f.data[p]
	f.dumps++
	hook := f.dumpErr
	f.mu.Unlock()
	for i, l := range lines {
		if err := ctx.Err(); err != nil {
			return int64(i), err
		}
		if hook != nil && i == len(lines)/2 {
			if err := hook(p); err != nil {
				return int64(i), err
			}
		}
		if _, err := io.WriteString(w, l); err != nil {
			return int64(i), err
		}
	}
	return int64(len(lines)), nil
}

func (f *fakeSource) Counts(ctx context.Context, table string, keys []string) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(keys))
	for _, k := range keys {
		out[k] = int64(f.count(Partition{table, k}))
	}
	return out, nil
}

func (f *fakeSource) Replace(ctx context.Context, p Partition, r io.Reader, verify func(int64, digest) error) error {
	f.mu.Lock()
	f.replaces[p]++
	before, after := f.beforeCommit, f.afterCommit
	f.mu.Unlock()
	data, err := io.ReadAll(r)
	if err != nil {
		return err // rolled back: nothing changed
	}
	var lines []string
	rr := rowcodec.NewReader(bytes.NewReader(data))
	for {
		line, err := rr.NextLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if _, err := rowcodec.Decode(line); err != nil {
			return err
		}
		lines = append(lines, string(line))
	}
	sort.Slice(lines, func(i, j int) bool { return rowKey([]byte(lines[i]), []int{1}) < rowKey([]byte(lines[j]), []int{1}) })
	h := sha256.New()
	for _, l := range lines {
		io.WriteString(h, l)
	}
	var sum digest
	copy(sum[:], h.Sum(nil))
	if err := verify(int64(len(lines)), sum); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if before != nil {
		if err := before(p); err != nil {
			return err
		}
	}
	f.mu.Lock()
	f.data[p] = lines
	f.commits[p]++
	f.mu.Unlock()
	if after != nil {
		return after(p)
	}
	return nil
}

// snapshotOf returns a copy of the current data, for comparisons.
func (f *fakeSource) snapshotOf() map[Partition][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(map[Partition][]string, len(f.data))
	for p, l := range f.data {
		c[p] = append([]string(nil), l...)
	}
	return c
}

// mutate replaces partition p's rows.
func (f *fakeSource) mutate(p Partition, fn func([]string) []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data[p] = fn(append([]string(nil), f.data[p]...))
}

func selectKeys(keys ...string) []Partition {
	ps := make([]Partition, len(keys))
	for i, k := range keys {
		ps[i] = Partition{"orders", k}
	}
	return ps
}

// clone returns a fakeSource with a copy of f's data and no hooks or counters.
func (f *fakeSource) clone() *fakeSource {
	c := &fakeSource{schema: f.schema, data: f.snapshotOf(), replaces: map[Partition]int{}, commits: map[Partition]int{}}
	return c
}

func (f *fakeSource) commitCounts() map[Partition]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := map[Partition]int{}
	for p, n := range f.commits {
		c[p] = n
	}
	return c
}
