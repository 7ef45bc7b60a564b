package ctxio

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReaderStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	r := Reader(ctx, strings.NewReader("hello world"))
	buf := make([]byte, 5)
	if n, err := r.Read(buf); n != 5 || err != nil {
		t.Fatalf("Read = %d, %v before cancel", n, err)
	}
	stop := errors.New("operator stop")
	cancel(stop)
	if _, err := r.Read(buf); !errors.Is(err, stop) {
		t.Fatalf("Read after cancel = %v, want the cause", err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, stop) {
		t.Fatalf("ReadAll after cancel = %v", err)
	}
}
