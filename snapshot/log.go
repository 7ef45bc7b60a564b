package snapshot

import (
	"context"
	"log/slog"
	"time"
)

// logger writes an operation's log: a summary at Info, each partition at
// Debug, damage and failures at Warn and Error. Its zero value is silent.
type logger struct{ l *slog.Logger }

func (g logger) enabled(level slog.Level) bool {
	return g.l != nil && g.l.Enabled(context.Background(), level)
}

func (g logger) partition(op string, pm *PartitionManifest) {
	if g.enabled(slog.LevelDebug) {
		g.l.Debug("snapshot: partition "+op+" done", "partition", pm.Partition.String(), "rows", pm.Rows, "bytes", pm.Bytes)
	}
}

func (g logger) failed(pe *PartitionError) {
	if g.enabled(slog.LevelError) {
		g.l.Error("snapshot: partition "+pe.Op+" failed", "partition", pe.Partition.String(), "err", pe.Err)
	}
}

func (g logger) damage(id string, err error) {
	if g.enabled(slog.LevelWarn) {
		g.l.Warn("snapshot: snapshot is damaged", "snapshot", id, "err", err)
	}
}

func (g logger) taken(m *Manifest) {
	if g.enabled(slog.LevelInfo) {
		g.l.Info("snapshot: taken", "snapshot", m.ID, "partitions", len(m.Partitions), "rows", m.Rows,
			"bytes", m.Bytes, "new_bytes", m.NewBytes, "duration", m.Duration)
	}
}

func (g logger) verified(id string, rep VerifyReport) {
	if g.enabled(slog.LevelInfo) {
		g.l.Info("snapshot: verified", "snapshot", id, "partitions", rep.Partitions, "chunks", rep.Chunks, "bytes", rep.Bytes,
			"rehearsed", rep.Rehearsed, "duration", rep.Duration)
	}
}

func (g logger) planned(p *Plan) {
	if g.enabled(slog.LevelInfo) {
		g.l.Info("snapshot: restore planned", "snapshot", p.Snapshot, "restore", p.RestoreID, "partitions", len(p.Partitions))
	}
}

func (g logger) restored(p *Plan, d time.Duration) {
	switch {
	case len(p.Failed) > 0 && g.enabled(slog.LevelError):
		g.l.Error("snapshot: restore incomplete", "snapshot", p.Snapshot, "restore", p.RestoreID,
			"restored", len(p.Restored), "skipped", len(p.Skipped), "failed", len(p.Failed), "duration", d)
	case len(p.Failed) == 0 && g.enabled(slog.LevelInfo):
		g.l.Info("snapshot: restored", "snapshot", p.Snapshot, "restore", p.RestoreID,
			"restored", len(p.Restored), "skipped", len(p.Skipped), "duration", d)
	}
}
