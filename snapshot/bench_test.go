package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

// Benchmarks on the in-memory fake source and store, so that they measure
// this package's own cost (hashing, chunking, compression, verification)
// side by side with the plain baseline of moving the same bytes. The
// PostgreSQL side-by-side benchmarks live in snapshot/sqlsource.
//
//	go test -run '^$' -bench . -benchtime 5x ./snapshot/

// benchTenants is 100 tenants of 2,000 rows, ~10 MB of canonical dump.
func benchTenants(b *testing.B) (*fakeSource, int64) {
	b.Helper()
	src := newFakeSource(100, 2000, 50)
	var n int64
	for _, lines := range src.snapshotOf() {
		for _, l := range lines {
			n += int64(len(l))
		}
	}
	return src, n
}

// BenchmarkTake compares Take (dump, SHA-256 of the partition and of each
// chunk, content-defined chunking, zstd, one put per chunk, manifest) with
// the baseline of a naive backup: dump each partition to memory, compress it
// with the same zstd level, and put it as one object.
func BenchmarkTake(b *testing.B) {
	src, size := benchTenants(b)
	sel := src.partitions()
	b.Run("baseline=dump+zstd+put", func(b *testing.B) {
		cd, err := newCodec(1)
		if err != nil {
			b.Fatal(err)
		}
		defer cd.Close()
		b.SetBytes(size)
		var buf bytes.Buffer
		var comp []byte
		for i := range b.N {
			store := newMemStore()
			for _, p := range sel {
				buf.Reset()
				if _, err := src.Dump(context.Background(), p, &buf); err != nil {
					b.Fatal(err)
				}
				comp = cd.enc.EncodeAll(buf.Bytes(), comp[:0])
				if err := store.PutIfAbsent(context.Background(), fmt.Sprintf("%d/%s", i, p.Key), bytes.NewReader(comp)); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	for _, par := range []int{1, 2} {
		b.Run(fmt.Sprintf("take/parallelism=%d", par), func(b *testing.B) {
			b.SetBytes(size)
			for range b.N {
				store := newMemStore()
				if _, err := Take(context.Background(), src, store, sel, Parallelism(par)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchRestores numbers restores, so that every run restores afresh
// instead of finding its work done in the journal.
var benchRestores atomic.Int64

// BenchmarkRestore compares Restore (read, zstd, SHA-256 per chunk and per
// partition, verify callback) with the baseline of Replace from bytes
// already in memory.
func BenchmarkRestore(b *testing.B) {
	src, size := benchTenants(b)
	sel := src.partitions()
	store := newMemStore()
	m, err := Take(context.Background(), src, store, sel)
	if err != nil {
		b.Fatal(err)
	}
	dumps := map[Partition]string{}
	for p, lines := range src.snapshotOf() {
		dumps[p] = strings.Join(lines, "")
	}
	b.Run("baseline=replace-from-memory", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			for _, p := range sel {
				if err := src.Replace(context.Background(), p, strings.NewReader(dumps[p]), func(int64, digest) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	for _, par := range []int{1, 2} {
		b.Run(fmt.Sprintf("restore/parallelism=%d", par), func(b *testing.B) {
			b.SetBytes(size)
			for range b.N {
				if _, err := Restore(context.Background(), src, store, m, sel, Parallelism(par), ID(fmt.Sprintf("bench-%d", benchRestores.Add(1)))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkResnapshot reports the fraction of new bytes a second Take
// writes (new-bytes-%), for unchanged data and after small edits, with
// content-defined chunking and with fixed-size chunks of the same maximum.
// Tenants are large (10 × 40,000 rows, ~2 MB each) so that each spans many chunks.
func BenchmarkResnapshot(b *testing.B) {
	edits := map[string]func([]string) []string{
		"unchanged": nil,
		"update-1-row": func(l []string) []string {
			l[len(l)/2] = strings.Replace(l[len(l)/2], "sku-", "SKU-", 1)
			return l
		},
		"insert-10-rows-early": func(l []string) []string {
			extra := make([]string, 10)
			for i := range extra {
				extra[i] = strings.Replace(l[100], "00000100", fmt.Sprintf("0000010%da", i), 1)
			}
			return append(l[:101], append(extra, l[101:]...)...)
		},
	}
	chunkers := map[string]chunkParams{
		"cdc":   defaultChunking,
		"fixed": {Min: defaultChunking.Max, Max: defaultChunking.Max, Name: "fixed"},
	}
	for _, edit := range []string{"unchanged", "update-1-row", "insert-10-rows-early"} {
		for _, ck := range []string{"cdc", "fixed"} {
			b.Run(edit+"/"+ck, func(b *testing.B) {
				var frac float64
				for range b.N {
					src := newFakeSource(10, 40000, 51)
					store := newMemStore()
					first, err := Take(context.Background(), src, store, src.partitions(), withChunking(chunkers[ck]))
					if err != nil {
						b.Fatal(err)
					}
					if fn := edits[edit]; fn != nil {
						for _, p := range src.partitions() {
							src.mutate(p, fn)
						}
					}
					second, err := Take(context.Background(), src, store, src.partitions(), withChunking(chunkers[ck]), ID("second"))
					if err != nil {
						b.Fatal(err)
					}
					frac = float64(second.NewBytes) / float64(first.StoredBytes)
				}
				b.ReportMetric(100*frac, "new-bytes-%")
			})
		}
	}
}

// BenchmarkCheck measures Check of 1,000 partitions with RowCountDrop, which
// costs one Counts call per table.
func BenchmarkCheck(b *testing.B) {
	src := newFakeSource(1000, 5, 52)
	m, err := Take(context.Background(), src, newMemStore(), src.partitions())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Check(context.Background(), src, m, RowCountDrop(0.1)); err != nil {
			b.Fatal(err)
		}
	}
}
