package snapshot

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/deploysafe/deploysafe/internal/telemetry"
)

// meters records one operation's metrics (the table in the package
// documentation) when it ends: one call per instrument, not per chunk, so
// that metrics cost a Take nothing measurable.
type meters struct {
	read, stored, added metric.Int64Counter
	chunks, parts       metric.Int64Counter
	damage              metric.Int64Counter
	duration            metric.Float64Histogram
}

func newMeters(mp metric.MeterProvider, log *slog.Logger) *meters {
	m := telemetry.Meter(mp, "snapshot")
	var errs telemetry.Errors
	c := func(name, unit, desc string) metric.Int64Counter {
		x, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs.Add(err)
		return x
	}
	ms := &meters{
		read:   c("deploysafe.snapshot.bytes.read", "By", "Uncompressed bytes read: dumped from the database by take, from the store by verify, restore and rehearse."),
		stored: c("deploysafe.snapshot.bytes.stored", "By", "Compressed bytes of the chunks a take's snapshot references."),
		added:  c("deploysafe.snapshot.bytes.new", "By", "Compressed bytes a take added to the store (chunks not already there)."),
		chunks: c("deploysafe.snapshot.chunks", "{chunk}", "Chunks a take cut (new=true: added to the store) or an operation read."),
		parts:  c("deploysafe.snapshot.partitions", "{partition}", "Partitions an operation finished, by outcome."),
		damage: c("deploysafe.snapshot.damage", "{problem}", "Missing or corrupt chunks and mismatched partitions found."),
	}
	h, err := m.Float64Histogram("deploysafe.snapshot.duration", metric.WithUnit("s"), metric.WithDescription("How long an operation took."))
	errs.Add(err)
	ms.duration = h
	errs.Report(log, "snapshot")
	return ms
}

func opAttr(op string) metric.MeasurementOption {
	return metric.WithAttributes(attribute.String("op", op))
}

func (ms *meters) partitions(ctx context.Context, op, outcome string, n int) {
	if n > 0 {
		ms.parts.Add(ctx, int64(n), metric.WithAttributes(attribute.String("op", op), attribute.String("outcome", outcome)))
	}
}

func (ms *meters) taken(ctx context.Context, m *Manifest, failed int, d time.Duration) {
	op := opAttr("take")
	if m != nil {
		ms.read.Add(ctx, m.Bytes, op)
		ms.stored.Add(ctx, m.StoredBytes, op)
		ms.added.Add(ctx, m.NewBytes, op)
		ms.chunks.Add(ctx, int64(m.NewChunks), metric.WithAttributes(attribute.String("op", "take"), attribute.Bool("new", true)))
		ms.chunks.Add(ctx, int64(m.Chunks-m.NewChunks), metric.WithAttributes(attribute.String("op", "take"), attribute.Bool("new", false)))
		ms.partitions(ctx, "take", "done", len(m.Partitions))
	}
	ms.partitions(ctx, "take", "failed", failed)
	ms.duration.Record(ctx, d.Seconds(), op)
}

func (ms *meters) verified(ctx context.Context, op string, rep VerifyReport, problems int) {
	ms.read.Add(ctx, rep.Bytes, opAttr(op))
	ms.chunks.Add(ctx, int64(rep.Chunks), opAttr(op))
	ms.damage.Add(ctx, int64(problems), opAttr(op))
	good := rep.Partitions
	if op == "rehearse" {
		good = rep.Rehearsed
	}
	ms.partitions(ctx, op, "done", good)
	ms.partitions(ctx, op, "failed", rep.Partitions-good)
	ms.duration.Record(ctx, rep.Duration.Seconds(), opAttr(op))
}

func (ms *meters) restored(ctx context.Context, m *Manifest, p *Plan, d time.Duration) {
	var bytes, chunks int64
	for _, q := range p.Restored {
		pm, _ := m.Partition(q)
		bytes += pm.Bytes
		chunks += int64(len(pm.chunks))
	}
	op := opAttr("restore")
	ms.read.Add(ctx, bytes, op)
	ms.chunks.Add(ctx, chunks, op)
	ms.partitions(ctx, "restore", "done", len(p.Restored))
	ms.partitions(ctx, "restore", "skipped", len(p.Skipped))
	ms.partitions(ctx, "restore", "failed", len(p.Failed))
	ms.duration.Record(ctx, d.Seconds(), op)
}
