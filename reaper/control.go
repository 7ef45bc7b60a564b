package reaper

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
)

// Status is a read-only view of the ledger.
type Status struct {
	Sweeps      uint64         // completed sweeps
	Halt        *BreakerError  // the unacknowledged halt, if any
	Candidates  []string       // judged orphaned, still in grace
	Quarantined []string       // quarantined, or quarantine/delete/restore in flight
	Deleted     []string       // deleted and still listed by the inventory
	Shadow      map[string]int // stratum → shadow sweeps observed
}

// Status reads the ledger.
func (r *Reaper) Status(ctx context.Context) (Status, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.load(ctx)
	if err != nil {
		return Status{}, err
	}
	s := Status{Sweeps: st.Sweeps, Shadow: st.Shadow}
	if st.Halt != nil {
		s.Halt = &BreakerError{HaltID: st.Halt.ID, Sweep: st.Halt.Sweep, Trips: st.Halt.Trips}
	}
	for id, e := range st.Entries {
		switch e.Stage {
		case stCandidate:
			s.Candidates = append(s.Candidates, id)
		case stDeleted:
			s.Deleted = append(s.Deleted, id)
		default:
			s.Quarantined = append(s.Quarantined, id)
		}
	}
	sort.Strings(s.Candidates)
	sort.Strings(s.Quarantined)
	sort.Strings(s.Deleted)
	return s, nil
}

// Acknowledge lifts the halt haltID (from *BreakerError) on behalf of by.
// The next sweep lets through each acknowledged trip as long as its count
// does not exceed the acknowledged count; anything larger, or any other
// limit, halts again. The allowance lasts for one completed sweep.
func (r *Reaper) Acknowledge(ctx context.Context, haltID, by string) error {
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
		return fmt.Errorf("reaper: Acknowledge %s: the reaper is not halted: %w", haltID, ErrNotFound)
	}
	if st.Halt.ID != haltID {
		return fmt.Errorf("reaper: Acknowledge %s: the current halt is %s: %w", haltID, st.Halt.ID, ErrNotFound)
	}
	st.Allow = map[string]int{}
	for _, t := range st.Halt.Trips {
		if t.Limit != "inventory-invalid" {
			st.Allow[t.key()] = t.Count
		}
	}
	trips := st.Halt.Trips
	st.Halt = nil
	if err := r.audit(ctx, Record{Time: r.cfg.clock.Now(), Level: slog.LevelWarn, Kind: KindAck, Sweep: st.Sweeps, Mode: r.cfg.mode,
		HaltID: haltID, Trips: trips, Msg: "halt acknowledged by " + by}); err != nil {
		return err
	}
	return r.store(ctx, st)
}

// Restore undoes the quarantine of id (also one in flight), whatever the
// mode: restoring is always safe. It refuses (ErrNotFound) a resource that
// is not quarantined, or whose delete is in flight. It takes the lease if one is configured.
func (r *Reaper) Restore(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("reaper: Restore: empty id: %w", ErrConfig)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cfg.lease != nil {
		h, err := r.cfg.lease.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("reaper: lease: %w", err)
		}
		defer h.Release(context.WithoutCancel(ctx))
	}
	st, err := r.load(ctx)
	if err != nil {
		return err
	}
	e, ok := st.Entries[id]
	if !ok || e.Stage == stCandidate || e.Stage == stDeleted {
		return fmt.Errorf("reaper: Restore %s: %w", id, ErrNotFound)
	}
	if e.Stage == stDeleting {
		return fmt.Errorf("reaper: Restore %s: a delete is in flight (key %s) and may have happened: %w", id, e.Key, ErrNotFound)
	}
	if e.Stage != stRestoring || e.Key == "" {
		st.Seq++
		e.Stage, e.Key = stRestoring, fmt.Sprintf("%s/%s/%d", ActRestore, id, st.Seq)
	}
	if err := r.store(ctx, st); err != nil {
		return err
	}
	rs := Resource{ID: id, Attrs: e.Attrs}
	err = r.dep.Restore(ctx, rs, Precondition{Key: e.Key, Attrs: e.Attrs, JudgedAt: r.cfg.clock.Now()})
	rec := Record{Time: r.cfg.clock.Now(), Level: slog.LevelWarn, Kind: KindAction, Sweep: st.Sweeps, Mode: r.cfg.mode,
		Resource: id, Attrs: e.Attrs, Action: ActRestore, Msg: "manual restore, key " + e.Key, Err: err}
	if err != nil {
		rec.Level = slog.LevelError
		_ = r.audit(ctx, rec)
		return &ActionError{Resource: id, Action: ActRestore, Err: err}
	}
	delete(st.Entries, id)
	if err := r.store(ctx, st); err != nil {
		return err
	}
	return r.audit(ctx, rec)
}
