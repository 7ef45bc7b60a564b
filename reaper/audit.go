package reaper

import (
	"context"
	"fmt"
	"log/slog"
)

// The audit trail is a stream of slog records to the Logger's handler,
// each with attribute "kind" (sweep, verdict, breaker, promotion, recheck,
// action, ack, prune, clock), "sweep" and "mode", and, where they apply,
// "resource", "attrs", "verdict", one group "vote.<observer>" per vote,
// "action", "shadow", "halt", "trips" and "err". Records carry the time of
// the reaper's Clock.

// audit sends one record to the logger's handler; an error from it is
// ErrAudit, and stops the sweep before its next action.
func (r *Reaper) audit(ctx context.Context, level slog.Level, kind, msg string, sweep uint64, mode Action, attrs ...slog.Attr) error {
	h := r.cfg.log.Handler()
	if !h.Enabled(ctx, level) {
		return nil
	}
	rec := slog.NewRecord(r.cfg.now(), level, "reaper: "+kind+": "+msg, 0)
	rec.AddAttrs(slog.String("kind", kind), slog.Uint64("sweep", sweep), slog.String("mode", mode.String()))
	rec.AddAttrs(attrs...)
	if err := h.Handle(ctx, rec); err != nil {
		return fmt.Errorf("%w: %w", ErrAudit, err)
	}
	return nil
}

// auditing reports whether records at level are kept, so that a sweep
// builds per-resource records only for a logger that keeps them.
func (r *Reaper) auditing(ctx context.Context, level slog.Level) bool {
	return r.cfg.log.Handler().Enabled(ctx, level)
}

// resourceAttrs describes one resource and its votes for the audit.
func (r *Reaper) resourceAttrs(rs Resource, b *ballots, i int) []slog.Attr {
	attrs := []slog.Attr{slog.String("resource", rs.ID)}
	if len(rs.Attrs) > 0 {
		kv := make([]any, 0, len(rs.Attrs))
		for k, v := range rs.Attrs {
			kv = append(kv, slog.String(k, v))
		}
		attrs = append(attrs, slog.Group("attrs", kv...))
	}
	if b == nil {
		return attrs
	}
	for j, v := range b.of(i) {
		va := []any{slog.String("source", r.obs[j].Source()), slog.String("verdict", v.Verdict.String()), slog.String("evidence", v.Evidence)}
		if err := b.err(i, j); err != nil {
			va = append(va, slog.Any("err", err))
		}
		attrs = append(attrs, slog.Group("vote."+r.obs[j].Name(), va...))
	}
	return attrs
}
