package reaper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"
)

// Report is what one sweep saw and did.
type Report struct {
	Sweep     uint64 // this sweep's number (1 for the first)
	Mode      Mode   // the mode it ran in: Shadow if promotion was refused
	Resources int    // resources listed
	// Verdict counts.
	Alive, Orphan, Unknown int
	// Planned lists every action decided, taken or not; in shadow mode
	// these are only recorded.
	Planned []Planned
	// Resources acted on successfully.
	Quarantined, Restored, Deleted []string
	// Skipped lists actions dropped because the live re-check no longer
	// found quorum or the deprovisioner reported ErrPrecondition.
	Skipped []string
	// Acknowledged lists breaker trips let through by an acknowledgement.
	Acknowledged []Trip
}

// Planned is one decided action.
type Planned struct {
	Resource string
	Action   Action
}

// Sweep lists the inventory, asks every observer about every resource,
// applies quorum, grace and the blast-radius breaker, and then acts, one
// resource at a time, within the mode and the rate limit. It returns a
// report whenever it got as far as loading the ledger.
//
// Errors: *BreakerError (ErrBlastRadius) when the breaker halted this
// sweep; ErrHalted while an earlier halt awaits Acknowledge; ErrNotPromoted
// (*PromotionError) when the sweep ran as Shadow for lack of shadow
// history; ErrLeaseHeld when another replica holds the lease; otherwise a
// go-multierror of *ActionError, possibly with ErrLeaseLost, ErrLedger or
// ErrAudit, which stop all further action.
func (r *Reaper) Sweep(ctx context.Context) (*Report, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var held Held
	if r.cfg.lease != nil {
		h, err := r.cfg.lease.Acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("reaper: lease: %w", err)
		}
		held = h
		defer h.Release(context.WithoutCancel(ctx))
	}
	st, err := r.load(ctx)
	if err != nil {
		return nil, err
	}
	now := r.cfg.clock.Now()
	sweep := st.Sweeps + 1
	rep := &Report{Sweep: sweep, Mode: Shadow}
	if st.Halt != nil {
		be := &BreakerError{HaltID: st.Halt.ID, Sweep: st.Halt.Sweep, Trips: st.Halt.Trips}
		return rep, fmt.Errorf("%w: %w", ErrHalted, be)
	}
	snap, err := r.inv.List(ctx)
	if err != nil {
		return rep, fmt.Errorf("%w: %w", ErrInventory, err)
	}
	res := snap.Resources
	rep.Resources = len(res)
	if trips := r.inventoryTrips(snap, st, now); len(trips) > 0 {
		rest, acked := unacknowledged(trips, st.Allow)
		rep.Acknowledged = append(rep.Acknowledged, acked...)
		if len(rest) > 0 {
			return rep, r.trip(ctx, st, sweep, now, rest)
		}
	}
	b, err := r.observeAll(ctx, res)
	if err != nil {
		return rep, err
	}
	verdicts := make([]Verdict, len(res))
	for i := range res {
		v := r.tally(b.of(i))
		verdicts[i] = v
		switch v {
		case Alive:
			rep.Alive++
		case Orphan:
			rep.Orphan++
		default:
			rep.Unknown++
		}
	}
	strata := r.stratify(res)
	mode, promo := r.effectiveMode(st, strata)
	rep.Mode = mode
	p := r.decide(st, res, verdicts, sweep, now, r.cfg.mode)
	for _, a := range p.acts {
		rep.Planned = append(rep.Planned, Planned{Resource: res[a.i].ID, Action: a.act})
	}
	if err := r.auditVerdicts(ctx, sweep, mode, res, b, verdicts, now); err != nil {
		return rep, err
	}
	t := r.countTallies(strata, b, verdicts)
	t.actions = p.actions
	rest, acked := unacknowledged(sortedTrips(r.radiusTrips(strata, t, len(res))), st.Allow)
	rep.Acknowledged = append(rep.Acknowledged, acked...)
	if len(rest) > 0 {
		return rep, r.trip(ctx, st, sweep, now, rest)
	}
	if len(rep.Acknowledged) > 0 {
		if err := r.audit(ctx, Record{Time: now, Level: slog.LevelWarn, Kind: KindBreaker, Sweep: sweep, Mode: mode,
			Trips: rep.Acknowledged, Msg: "limits exceeded but acknowledged by an operator; proceeding"}); err != nil {
			return rep, err
		}
	}
	if promo != nil {
		if err := r.audit(ctx, Record{Time: now, Level: slog.LevelWarn, Kind: KindPromotion, Sweep: sweep, Mode: mode, Err: promo}); err != nil {
			return rep, err
		}
	}
	st.Entries, st.Sweeps, st.LastInventory, st.Allow = p.entries, sweep, len(res), nil
	if mode == Shadow {
		for _, name := range strata.names {
			st.Shadow[name]++
		}
	}
	if err := r.store(ctx, st); err != nil {
		return rep, err
	}
	errs := r.act(ctx, held, st, p, res, mode, rep)
	if err := r.audit(ctx, Record{Time: r.cfg.clock.Now(), Level: slog.LevelInfo, Kind: KindSweep, Sweep: sweep, Mode: mode,
		Msg: fmt.Sprintf("resources=%d alive=%d orphan=%d unknown=%d planned=%d quarantined=%d restored=%d deleted=%d skipped=%d",
			rep.Resources, rep.Alive, rep.Orphan, rep.Unknown, len(rep.Planned), len(rep.Quarantined), len(rep.Restored), len(rep.Deleted), len(rep.Skipped)),
		Err: errs}); err != nil {
		errs = errors.Join(errs, err)
	}
	if promo != nil {
		return rep, errors.Join(promo, errs)
	}
	return rep, errs
}

// effectiveMode refuses the configured mode while any stratum present has
// had fewer than cfg.shadowSweeps shadow sweeps.
func (r *Reaper) effectiveMode(st *state, s *strata) (Mode, *PromotionError) {
	if r.cfg.mode == Shadow {
		return Shadow, nil
	}
	var lacking []StratumProgress
	for si, name := range s.names {
		if s.size[si] > 0 && st.Shadow[name] < r.cfg.shadowSweeps {
			lacking = append(lacking, StratumProgress{Stratum: name, Sweeps: st.Shadow[name]})
		}
	}
	if len(lacking) == 0 {
		return r.cfg.mode, nil
	}
	sort.Slice(lacking, func(i, j int) bool { return lacking[i].Stratum < lacking[j].Stratum })
	return Shadow, &PromotionError{Mode: r.cfg.mode, Required: r.cfg.shadowSweeps, Strata: lacking}
}

// trip records a halt in the ledger and the audit log.
func (r *Reaper) trip(ctx context.Context, st *state, sweep uint64, now time.Time, trips []Trip) error {
	id := haltID(sweep, trips)
	st.Halt = &halt{ID: id, Sweep: sweep, At: now, Trips: trips}
	be := &BreakerError{HaltID: id, Sweep: sweep, Trips: trips}
	aerr := r.audit(ctx, Record{Time: now, Level: slog.LevelError, Kind: KindBreaker, Sweep: sweep, Mode: r.cfg.mode,
		Trips: trips, HaltID: id, Msg: "sweep halted; nothing acted on; Acknowledge to resume", Err: be})
	if err := r.store(ctx, st); err != nil {
		return errors.Join(be, err, aerr)
	}
	return errors.Join(be, aerr)
}

// auditVerdicts records each resource's votes and verdict. Resources with
// no Orphan vote and no observer error are Debug; the rest Info.
func (r *Reaper) auditVerdicts(ctx context.Context, sweep uint64, mode Mode, res []Resource, b *ballots, verdicts []Verdict, now time.Time) error {
	sink := r.cfg.sink
	debug := sink.Enabled(ctx, slog.LevelDebug)
	info := sink.Enabled(ctx, slog.LevelInfo)
	if !debug && !info {
		return nil
	}
	for i, rs := range res {
		level := slog.LevelDebug
		for j, v := range b.of(i) {
			if v.Verdict == Orphan || (v.Verdict == Unknown && b.errs != nil && b.errs[i*b.m+j] != nil) {
				level = slog.LevelInfo
				break
			}
		}
		if (level == slog.LevelDebug && !debug) || (level == slog.LevelInfo && !info) {
			continue
		}
		if err := r.audit(ctx, Record{Time: now, Level: level, Kind: KindVerdict, Sweep: sweep, Mode: mode,
			Resource: rs.ID, Attrs: rs.Attrs, Verdict: verdicts[i], Votes: r.named(b, i)}); err != nil {
			return err
		}
	}
	return nil
}

func (r *Reaper) audit(ctx context.Context, rec Record) error {
	if !r.cfg.sink.Enabled(ctx, rec.Level) {
		return nil
	}
	if err := r.cfg.sink.Record(ctx, rec); err != nil {
		return fmt.Errorf("%w: %w", ErrAudit, err)
	}
	return nil
}

func (r *Reaper) load(ctx context.Context) (*state, error) {
	blob, err := r.ledger.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: load: %w", ErrLedger, err)
	}
	return decodeState(blob)
}

func (r *Reaper) store(ctx context.Context, st *state) error {
	blob, err := encodeState(st)
	if err != nil {
		return err
	}
	if err := r.ledger.Store(ctx, blob); err != nil {
		return fmt.Errorf("%w: store: %w", ErrLedger, err)
	}
	return nil
}
