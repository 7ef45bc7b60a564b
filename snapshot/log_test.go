package snapshot

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestLoggerLevels: summaries at Info, each partition at Debug, a failed
// partition at Error; nothing at all without the option, not even through
// slog's default logger.
func TestLoggerLevels(t *testing.T) {
	var def bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&def, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)

	src := newFakeSource(3, 50, 41)
	store := newMemStore()
	m := takeAll(t, src, store)
	damage(src, "t001")
	if _, err := Restore(context.Background(), src, store, m, m.Selection()); err != nil {
		t.Fatal(err)
	}
	if def.Len() != 0 {
		t.Errorf("without Logger the package logged:\n%s", def.String())
	}

	var info, debug bytes.Buffer
	li := slog.New(slog.NewTextHandler(&info, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ld := slog.New(slog.NewTextHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m2, err := Take(context.Background(), src, store, src.partitions(), ID("logged"), Logger(li))
	if err != nil {
		t.Fatal(err)
	}
	src.beforeCommit = func(p Partition) error {
		if p.Key == "t002" {
			return errInjected
		}
		return nil
	}
	damage(src, "t000", "t002")
	_, err = Restore(context.Background(), src, store, m2, m2.Selection(), Logger(ld))
	if err == nil {
		t.Fatal("Restore with an injected failure succeeded")
	}
	if got := info.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "level=INFO") || !strings.Contains(got, "snapshot: taken") {
		t.Errorf("Take at Info logged %q, want one summary line", got)
	}
	got := debug.String()
	for _, want := range []string{"level=DEBUG msg=\"snapshot: partition restore done\" partition=orders/t000",
		"level=ERROR msg=\"snapshot: partition restore failed\" partition=orders/t002",
		"level=ERROR msg=\"snapshot: restore incomplete\""} {
		if !strings.Contains(got, want) {
			t.Errorf("Restore at Debug lacks %q:\n%s", want, got)
		}
	}
}
