package blobstore_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"gocloud.dev/blob/memblob"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/blobstore"
)

// BenchmarkStore compares PutIfAbsent and Get of 1 MiB chunks on the
// versitygw S3 gateway with the in-memory memblob baseline.
func BenchmarkStore(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) snapshot.Store
	}{
		{"memblob", func(b *testing.B) snapshot.Store {
			bk := memblob.OpenBucket(nil)
			b.Cleanup(func() { bk.Close() })
			return blobstore.New(bk)
		}},
		{"versitygw", func(b *testing.B) snapshot.Store { return newS3Store(b) }},
	}
	ctx := context.Background()
	value := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	for _, st := range stores {
		b.Run("Put/"+st.name, func(b *testing.B) {
			s := st.open(b)
			b.SetBytes(int64(len(value)))
			for i := 0; b.Loop(); i++ {
				if err := s.PutIfAbsent(ctx, fmt.Sprintf("chunks/%d", i), bytes.NewReader(value)); err != nil {
					b.Fatal(err)
				}
				if i%64 == 63 { // bound memory and disk
					b.StopTimer()
					for j := i - 63; j <= i; j++ {
						s.Delete(ctx, fmt.Sprintf("chunks/%d", j))
					}
					b.StartTimer()
				}
			}
		})
		b.Run("PutExisting/"+st.name, func(b *testing.B) {
			s := st.open(b)
			if err := s.PutIfAbsent(ctx, "chunks/x", bytes.NewReader(value)); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(value)))
			for b.Loop() {
				if err := s.PutIfAbsent(ctx, "chunks/x", bytes.NewReader(value)); err == nil {
					b.Fatal("PutIfAbsent of an existing key succeeded")
				}
			}
		})
		b.Run("Get/"+st.name, func(b *testing.B) {
			s := st.open(b)
			if err := s.PutIfAbsent(ctx, "chunks/x", bytes.NewReader(value)); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(value)))
			for b.Loop() {
				r, err := s.Get(ctx, "chunks/x")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, r); err != nil {
					b.Fatal(err)
				}
				r.Close()
			}
		})
	}
}
