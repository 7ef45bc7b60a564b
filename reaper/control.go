package reaper

import (
	"context"
	"fmt"
	"log/slog"
	"sort"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// Status reads the ledger. Each Entry.Deadline is measured with the
// QuarantineWindow the last sweep recorded (Status.Last), or with this
// Reaper's own on a ledger that records none.
func (r *Reaper) Status(ctx context.Context) (Status, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.load(ctx)
	if err != nil {
		return Status{}, err
	}
	s := Status{Sweeps: st.Sweeps, Last: st.Last, Shadow: st.Shadow, Entries: map[string]Entry{}}
	// The deadline the sweeping replicas will apply: the window their last
	// sweep used, not this Reaper's, which may be a reader's (deploysafe
	// reaper status) that knows none.
	window := r.cfg.quarantineWindow
	if st.Last != nil && st.Last.QuarantineWindow != nil {
		window = *st.Last.QuarantineWindow
	}
	if st.Halt != nil {
		s.Halt = &BreakerError{HaltID: st.Halt.ID, Sweep: st.Halt.Sweep, At: st.Halt.At, Trips: st.Halt.Trips}
	}
	for id, e := range st.Entries {
		switch e.Stage {
		case stCandidate:
			s.Candidates = append(s.Candidates, id)
		case stDeleted:
			s.Deleted = append(s.Deleted, id)
		case stParked:
			s.Parked = append(s.Parked, id)
		default:
			s.Quarantined = append(s.Quarantined, id)
		}
		if e.Stage != stCandidate && e.Stage != stDeleted {
			d := Entry{Stage: string(e.Stage), QuarantinedAt: e.QuarantinedAt, Attempts: e.Attempts, Err: e.Failed, Parked: e.Parked}
			if !e.QuarantinedAt.IsZero() {
				d.Deadline = e.QuarantinedAt.Add(window)
			}
			s.Entries[id] = d
		}
	}
	sort.Strings(s.Candidates)
	sort.Strings(s.Quarantined)
	sort.Strings(s.Deleted)
	sort.Strings(s.Parked)
	return s, nil
}

// Acknowledge lifts the halt haltID (from *BreakerError) on behalf of by.
// The next sweep lets through each acknowledged trip as long as its count
// does not exceed the acknowledged count; anything larger, or any other
// limit, halts again. The allowance is spent by the first completed sweep
// that acts: one not in shadow mode whose plan holds a quarantine or delete
// it may take. Until then (shadow sweeps on a first-run fleet, sweeps whose
// orphans are still in grace) each completed sweep keeps the allowance of
// every acknowledged trip it raised again and drops the others, so a
// condition that went away is not excused when it returns.
func (r *Reaper) Acknowledge(ctx context.Context, haltID, by string) (err error) {
	if haltID == "" || by == "" {
		return fmt.Errorf("reaper: Acknowledge needs a halt ID and who acknowledges: %w", ErrConfig)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.load(ctx)
	if err != nil {
		return err
	}
	if st.Halt == nil {
		return fmt.Errorf("reaper: Acknowledge %s: the reaper is not halted: %w", clip.String(haltID), ErrNotFound)
	}
	if st.Halt.ID != haltID {
		return fmt.Errorf("reaper: Acknowledge %s: the current halt is %s: %w", clip.String(haltID), st.Halt.ID, ErrNotFound)
	}
	st.Allow = map[string]int{}
	for _, t := range st.Halt.Trips {
		if t.Limit != "inventory-invalid" {
			st.Allow[t.key()] = t.Count
		}
	}
	trips := st.Halt.Trips
	st.Halt = nil
	defer func() {
		if err == nil {
			r.metrics.halted.Store(0)
		}
	}()
	now, keep, err := r.basis(ctx, st)
	if err != nil {
		return err
	}
	if err := r.audit(ctx, slog.LevelWarn, "ack", "halt "+haltID+" acknowledged by "+by, st.Sweeps, r.cfg.mode,
		slog.String("halt", haltID), slog.Any("trips", trips)); err != nil {
		return err
	}
	if err := r.store(ctx, st, now); err != nil {
		return err
	}
	keep()
	return nil
}

// Restore undoes the quarantine of id (also one in flight, or parked),
// whatever the mode: restoring is always safe. It refuses (ErrNotFound) a
// resource that is not quarantined, or whose delete is in flight or parked.
// It takes the lease if one is configured.
func (r *Reaper) Restore(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("reaper: Restore: empty id: %w", ErrConfig)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cfg.lease != nil {
		if err := r.cfg.lease.Acquire(ctx); err != nil {
			return fmt.Errorf("reaper: lease: %w", err)
		}
		defer r.cfg.lease.Release(context.WithoutCancel(ctx))
	}
	st, err := r.load(ctx)
	if err != nil {
		return err
	}
	now, keep, err := r.basis(ctx, st)
	if err != nil {
		return err
	}
	e, ok := st.Entries[id]
	if !ok || e.Stage == stCandidate || e.Stage == stDeleted {
		return fmt.Errorf("reaper: Restore %s: %w", clip.String(id), ErrNotFound)
	}
	if e.Stage == stDeleting || e.Stage == stParked && e.Parked == Delete {
		return fmt.Errorf("reaper: Restore %s: a delete is in flight (key %s) and may have happened: %w", clip.String(id), clip.String(e.Key), ErrNotFound)
	}
	if e.Stage != stRestoring || e.Key == "" {
		st.Seq++
		e.Stage, e.Key = stRestoring, fmt.Sprintf("%s/%s/%d", Restore, id, st.Seq)
		e.Attempts, e.Failed, e.Parked = 0, "", 0
	}
	if err := r.store(ctx, st, now); err != nil {
		return err
	}
	keep()
	rs := Resource{ID: id, Attrs: e.Attrs}
	key := e.Key
	err = r.dep.Restore(ctx, rs, Precondition{Key: key, Attrs: e.Attrs, JudgedAt: r.cfg.now()})
	attrs := []slog.Attr{slog.String("resource", id), slog.String("action", Restore.String()), slog.String("key", key)}
	if err != nil {
		_ = r.audit(ctx, slog.LevelError, "action", "manual restore failed", st.Sweeps, r.cfg.mode, append(attrs, slog.Any("err", err))...)
		return &ActionError{Resource: id, Action: Restore, Err: err}
	}
	delete(st.Entries, id)
	if err := r.store(ctx, st, now); err != nil {
		return err
	}
	return r.audit(ctx, slog.LevelWarn, "action", "manual restore", st.Sweeps, r.cfg.mode, attrs...)
}
