package reaper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Sweep lists the inventory, asks every observer about every resource,
// applies quorum, grace and the blast-radius breaker, and then acts, one
// resource at a time, within the mode and the rate limit. It returns a
// report whenever it got as far as loading the ledger.
//
// Errors: *BreakerError (ErrBlastRadius) when the breaker halted this
// sweep; ErrHalted while an earlier halt awaits Acknowledge; ErrClockSkew
// when the ledger or the listing is stamped in the future; ErrNotPromoted
// (*PromotionError) when the sweep ran as shadow for lack of shadow
// history; ErrLeaseHeld when another replica holds the lease; otherwise
// the errors.Join of *ActionError, possibly with ErrLeaseLost, ErrLedger or
// ErrAudit, which stop all further action.
func (r *Reaper) Sweep(ctx context.Context) (*Report, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &sweep{r: r, started: time.Now()}
	err := s.run(ctx)
	r.metrics.sweep(ctx, s, err)
	return s.rep, err
}

// sweep is one Sweep's state, carried forward through its stages.
type sweep struct {
	r       *Reaper
	started time.Time // wall time, for the duration metric only

	held     Lease     // the lease, once acquired
	st       *state    // the ledger as loaded; updated as the sweep commits
	now      time.Time // the measuring clock at the start of the sweep
	n        uint64    // this sweep's number
	rep      *Report   // nil until the ledger is loaded
	list     Listing   // observe: the inventory
	votes    *ballots  // observe: every observer's vote on every resource
	verdicts []Verdict // observe: the tally per resource
	strata   *strata   // observe: the strata of the listing
	mode     Action    // decide: what this sweep may do (0: shadow)
	promo    *PromotionError
	plan     plan   // decide: the new ledger entries and the actions
	trips    []Trip // limit: every trip raised in this sweep
}

// run is the sweep, stage by stage: observe (the ledger, the inventory,
// the observers), decide, limit, act.
func (s *sweep) run(ctx context.Context) error {
	if err := s.elect(ctx); err != nil {
		return err
	}
	if s.held != nil {
		defer s.held.Release(context.WithoutCancel(ctx))
	}
	if err := s.load(ctx); err != nil {
		return err
	}
	if err := s.listInventory(ctx); err != nil {
		return err
	}
	if err := s.observe(ctx); err != nil {
		return err
	}
	s.decide()
	if err := s.limit(ctx); err != nil {
		return err
	}
	if err := s.commit(ctx); err != nil {
		return err
	}
	return s.finish(ctx, s.act(ctx))
}

// elect takes the lease, if one is configured.
func (s *sweep) elect(ctx context.Context) error {
	if s.r.cfg.lease == nil {
		return nil
	}
	if err := s.r.cfg.lease.Acquire(ctx); err != nil {
		return fmt.Errorf("reaper: lease: %w", err)
	}
	s.held = s.r.cfg.lease
	return nil
}

// load reads the ledger and the measuring clock, and refuses a ledger
// stamped in the future or an unacknowledged halt.
func (s *sweep) load(ctx context.Context) error {
	st, err := s.r.load(ctx)
	if err != nil {
		return err
	}
	now, err := s.r.measure(ctx)
	if err != nil {
		return err
	}
	s.st, s.now, s.n = st, now, st.Sweeps+1
	s.rep = &Report{Sweep: s.n}
	j, ref := s.r.jumpOf(now)
	if j != 0 {
		s.rep.ClockJump = j
		if err := s.r.rebase(ctx, st, j, s.n); err != nil {
			return err
		}
	}
	if err := checkSkew(st, now); err != nil {
		return err
	}
	if j != 0 {
		if err := s.r.store(ctx, st, now); err != nil {
			return err
		}
	}
	s.r.ref = ref
	if st.Halt != nil {
		be := &BreakerError{HaltID: st.Halt.ID, Sweep: st.Halt.Sweep, At: st.Halt.At, Trips: st.Halt.Trips}
		return fmt.Errorf("%w: %w", ErrHalted, be)
	}
	return nil
}

// listInventory lists the inventory and halts on a listing that does not
// look sane, before any observer is asked about it.
func (s *sweep) listInventory(ctx context.Context) error {
	list, err := s.r.inv.List(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInventory, err)
	}
	s.list, s.rep.Resources = list, len(list.Resources)
	if d := list.AsOf.Sub(s.now); d > skewTolerance {
		return fmt.Errorf("reaper: listing stamped %v in the future (AsOf %s, now %s): AsOf must come from the reaper's measuring clock: %w",
			d.Round(time.Second), list.AsOf.Format(time.RFC3339), s.now.Format(time.RFC3339), ErrClockSkew)
	}
	return s.pass(ctx, s.inventoryTrips())
}

// commit records the decision in the ledger before anything is done, and
// audits what the breaker let through.
func (s *sweep) commit(ctx context.Context) error {
	r, st := s.r, s.st
	if len(s.rep.Acknowledged) > 0 {
		if err := r.audit(ctx, slog.LevelWarn, "breaker", "limits exceeded but acknowledged by an operator; proceeding",
			s.n, s.mode, slog.Any("trips", s.rep.Acknowledged)); err != nil {
			return err
		}
	}
	if s.promo != nil {
		if err := r.audit(ctx, slog.LevelWarn, "promotion", s.promo.Error(), s.n, s.mode); err != nil {
			return err
		}
	}
	for _, id := range s.plan.pruned {
		if err := r.audit(ctx, slog.LevelInfo, "prune", "not listed for the retention period; forgotten", s.n, s.mode,
			slog.String("resource", id)); err != nil {
			return err
		}
	}
	s.rep.Pruned = s.plan.pruned
	st.Entries, st.Sweeps, st.LastInventory = s.plan.entries, s.n, len(s.list.Resources)
	st.Allow = s.keptAllowance()
	rep := s.rep
	window := r.cfg.quarantineWindow
	st.Last = &SweepSummary{At: s.now, Mode: s.mode, Resources: rep.Resources, Alive: rep.Alive, Orphan: rep.Orphan, Unknown: rep.Unknown,
		QuarantineWindow: &window}
	if s.mode == 0 {
		for _, name := range s.strata.names {
			st.Shadow[name]++
		}
	}
	return r.store(ctx, st, s.now)
}

// keptAllowance is what remains of an operator's acknowledgement once this
// sweep is committed. A sweep that acts (not shadow, with a quarantine or
// delete its mode lets it take) spends it all. Any other sweep, a shadow
// sweep or one whose orphans are still in grace, keeps the allowance of
// each trip it raised again, so that the acknowledgement reaches the sweep
// that acts on what it allowed, and drops the rest: a condition that went
// away is not excused when it comes back.
func (s *sweep) keptAllowance() map[string]int {
	if len(s.st.Allow) == 0 || s.acts() {
		return nil
	}
	var kept map[string]int
	for _, t := range s.rep.Acknowledged {
		if a, ok := s.st.Allow[t.key()]; ok {
			if kept == nil {
				kept = map[string]int{}
			}
			kept[t.key()] = a
		}
	}
	return kept
}

// acts reports whether the sweep's plan holds a quarantine or delete that
// its mode lets it take rather than only record.
func (s *sweep) acts() bool {
	if s.mode == 0 {
		return false
	}
	for _, a := range s.plan.acts {
		if a.act == Quarantine || a.act == Delete && s.mode == Delete {
			return true
		}
	}
	return false
}

// finish writes the sweep's summary and returns its error.
func (s *sweep) finish(ctx context.Context, errs error) error {
	rep := s.rep
	msg := fmt.Sprintf("resources=%d alive=%d orphan=%d unknown=%d planned=%d quarantined=%d restored=%d deleted=%d skipped=%d parked=%d",
		rep.Resources, rep.Alive, rep.Orphan, rep.Unknown, len(rep.Planned), len(rep.Quarantined), len(rep.Restored),
		len(rep.Deleted), len(rep.Skipped), len(rep.Parked))
	level := slog.LevelInfo
	var attrs []slog.Attr
	if errs != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.Any("err", errs))
	}
	if err := s.r.audit(ctx, level, "sweep", msg, s.n, s.mode, attrs...); err != nil {
		errs = errors.Join(errs, err)
	}
	if s.promo != nil {
		return errors.Join(s.promo, errs)
	}
	return errs
}
