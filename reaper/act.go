package reaper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/hashicorp/go-multierror"
)

// pending is the stage an action is in while its outcome is unknown.
func pending(a Action) stage {
	switch a {
	case ActQuarantine:
		return stQuarantining
	case ActDelete:
		return stDeleting
	}
	return stRestoring
}

// act carries out the plan in an active mode, one resource at a time:
// rate limit, lease check, live re-check, write intent to the ledger, act,
// write the outcome. In shadow mode it only records what it would do.
func (r *Reaper) act(ctx context.Context, held Held, st *state, p plan, res []Resource, mode Mode, rep *Report) error {
	var errs *multierror.Error
	for _, a := range p.acts {
		rs := res[a.i]
		if mode == Shadow || (a.act == ActDelete && mode != Delete) {
			if err := r.audit(ctx, Record{Time: r.cfg.clock.Now(), Level: slog.LevelInfo, Kind: KindAction, Sweep: st.Sweeps, Mode: mode,
				Resource: rs.ID, Attrs: rs.Attrs, Action: a.act, Shadow: true, Msg: "would act (shadow)"}); err != nil {
				return multierror.Append(errs, err).ErrorOrNil()
			}
			continue
		}
		if err := ctx.Err(); err != nil {
			return multierror.Append(errs, err).ErrorOrNil()
		}
		stop, err := r.actOne(ctx, held, st, a.act, rs, rep)
		if err != nil {
			errs = multierror.Append(errs, err)
		}
		if stop {
			break
		}
	}
	return errs.ErrorOrNil()
}

// actOne takes one action. stop reports a failure that must end the sweep's
// actions (lease, ledger, audit, context).
func (r *Reaper) actOne(ctx context.Context, held Held, st *state, act Action, rs Resource, rep *Report) (stop bool, err error) {
	clock := r.cfg.clock
	if act != ActRestore {
		now := clock.Now()
		if d := r.limiter.ReserveN(now, 1).DelayFrom(now); d > 0 {
			if err := clock.Sleep(ctx, d); err != nil {
				return true, err
			}
		}
	}
	if held != nil {
		if err := held.Check(ctx); err != nil {
			return true, fmt.Errorf("%w: %w", ErrLeaseLost, err)
		}
	}
	e := st.Entries[rs.ID]
	verdict, b := r.recheck(ctx, rs)
	if err := ctx.Err(); err != nil {
		return true, err
	}
	judged := clock.Now()
	if err := r.audit(ctx, Record{Time: judged, Level: slog.LevelInfo, Kind: KindRecheck, Sweep: st.Sweeps, Mode: r.cfg.mode,
		Resource: rs.ID, Attrs: rs.Attrs, Verdict: verdict, Votes: r.named(b, 0), Action: act}); err != nil {
		return true, err
	}
	if act != ActRestore && verdict != Orphan {
		rep.Skipped = append(rep.Skipped, rs.ID)
		if verdict != Alive {
			return false, nil // Unknown: wait for a later sweep
		}
		if e.Stage == stCandidate {
			delete(st.Entries, rs.ID)
			return r.storeStop(ctx, st)
		}
		if e.Stage == stDeleting {
			return false, nil // a delete in flight is finished, never undone
		}
		act = ActRestore // Alive on something we may have quarantined: undo
	}
	if e.Stage != pending(act) || e.Key == "" {
		st.Seq++
		e.Stage, e.Key = pending(act), fmt.Sprintf("%s/%s/%d", act, rs.ID, st.Seq)
	}
	if stop, err := r.storeStop(ctx, st); stop {
		return true, err
	}
	pre := Precondition{Key: e.Key, Attrs: rs.Attrs, JudgedAt: judged}
	switch act {
	case ActQuarantine:
		err = r.dep.Quarantine(ctx, rs, pre)
	case ActDelete:
		err = r.dep.Delete(ctx, rs, pre)
	default:
		err = r.dep.Restore(ctx, rs, pre)
	}
	rec := Record{Time: clock.Now(), Level: slog.LevelWarn, Kind: KindAction, Sweep: st.Sweeps, Mode: r.cfg.mode,
		Resource: rs.ID, Attrs: rs.Attrs, Action: act, Msg: "key " + e.Key}
	switch {
	case err == nil:
		e.Key = ""
		switch act {
		case ActQuarantine:
			e.Stage, e.QuarantinedAt = stQuarantined, rec.Time
			rep.Quarantined = append(rep.Quarantined, rs.ID)
		case ActDelete:
			e.Stage = stDeleted
			rep.Deleted = append(rep.Deleted, rs.ID)
		default:
			delete(st.Entries, rs.ID)
			rep.Restored = append(rep.Restored, rs.ID)
		}
	case errors.Is(err, ErrPrecondition):
		rep.Skipped = append(rep.Skipped, rs.ID)
		switch act {
		case ActQuarantine:
			delete(st.Entries, rs.ID) // it changed: judge it afresh
		case ActDelete:
			e.Stage, e.Key = stQuarantined, ""
		}
		rec.Level, rec.Err = slog.LevelError, err
	default:
		rec.Level, rec.Err = slog.LevelError, err // stays pending: retried with the same key
	}
	var aerr error
	if err != nil {
		aerr = &ActionError{Resource: rs.ID, Action: act, Err: err}
	}
	if stop, serr := r.storeStop(ctx, st); stop {
		return true, errors.Join(aerr, serr)
	}
	if err := r.audit(ctx, rec); err != nil {
		return true, errors.Join(aerr, err)
	}
	return false, aerr
}

func (r *Reaper) storeStop(ctx context.Context, st *state) (bool, error) {
	if err := r.store(ctx, st); err != nil {
		return true, err
	}
	return false, nil
}
