package reaper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// pending is the stage an action is in while its outcome is unknown.
func pending(a Action) stage {
	switch a {
	case Quarantine:
		return stQuarantining
	case Delete:
		return stDeleting
	}
	return stRestoring
}

// act carries out the plan, one resource at a time: rate limit, lease
// check, live re-check, intent in the ledger, action, outcome in the
// ledger. In shadow mode it only records what it would do. It returns the
// errors.Join of every failure; a lease, ledger, audit or context failure
// also ends the stage.
func (s *sweep) act(ctx context.Context) error {
	var errs []error
	for _, a := range s.plan.acts {
		rs := s.list.Resources[a.i]
		if s.mode == 0 || (a.act == Delete && s.mode != Delete) {
			if err := s.r.audit(ctx, slog.LevelDebug, "action", "would "+a.act.String()+" (shadow)", s.n, s.mode,
				slog.String("resource", rs.ID), slog.String("action", a.act.String()), slog.Bool("shadow", true)); err != nil {
				return errors.Join(append(errs, err)...)
			}
			s.r.metrics.action(ctx, a.act, "shadow")
			continue
		}
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		stop, err := s.actOne(ctx, a.act, rs)
		if err != nil {
			errs = append(errs, err)
		}
		if stop {
			break
		}
	}
	return errors.Join(errs...)
}

// actOne takes one action. stop reports a failure that must end the
// sweep's actions (lease, ledger, audit, context).
func (s *sweep) actOne(ctx context.Context, act Action, rs Resource) (stop bool, err error) {
	r, st := s.r, s.st
	if act != Restore {
		if err := r.limiter.Wait(ctx); err != nil {
			return true, err
		}
	}
	if s.held != nil {
		if err := s.held.Check(ctx); err != nil {
			return true, fmt.Errorf("%w: %w", ErrLeaseLost, err)
		}
	}
	e := st.Entries[rs.ID]
	verdict, b := r.recheck(ctx, rs)
	if err := ctx.Err(); err != nil {
		return true, err
	}
	judged := r.cfg.now()
	if err := r.audit(ctx, slog.LevelDebug, "recheck", verdict.String(), s.n, s.mode,
		append(r.resourceAttrs(rs, b, 0), slog.String("verdict", verdict.String()), slog.String("action", act.String()))...); err != nil {
		return true, err
	}
	if act != Restore && verdict != Orphan {
		s.rep.Skipped = append(s.rep.Skipped, rs.ID)
		r.metrics.action(ctx, act, "skipped")
		if verdict != Alive {
			return false, nil // Unknown: wait for a later sweep
		}
		if e.Stage == stCandidate {
			delete(st.Entries, rs.ID)
			return s.save(ctx, nil)
		}
		if e.Stage == stDeleting {
			return false, nil // a delete in flight is finished, never undone
		}
		act = Restore // Alive on something we may have quarantined: undo
	}
	if e.Stage != pending(act) || e.Key == "" {
		st.Seq++
		e.Stage, e.Key = pending(act), fmt.Sprintf("%s/%s/%d", act, rs.ID, st.Seq)
	}
	if stop, err := s.save(ctx, nil); stop {
		return true, err
	}
	err = s.call(ctx, act, rs, Precondition{Key: e.Key, Attrs: rs.Attrs, JudgedAt: judged})
	done, merr := s.measureDone(ctx)
	if merr != nil {
		return true, errors.Join(err, merr) // outcome unknown to the ledger: it stays pending, same key
	}
	return s.outcome(ctx, act, rs, e, done, err)
}

// call hands one action to the deprovisioner.
func (s *sweep) call(ctx context.Context, act Action, rs Resource, pre Precondition) error {
	switch act {
	case Quarantine:
		return s.r.dep.Quarantine(ctx, rs, pre)
	case Delete:
		return s.r.dep.Delete(ctx, rs, pre)
	}
	return s.r.dep.Restore(ctx, rs, pre)
}

// outcome records what one action did, in the ledger and then the audit.
// A failure other than ErrPrecondition leaves the action pending with the
// same key, to be retried after a backoff, or parks the resource after
// Limits.MaxAttempts tries.
func (s *sweep) outcome(ctx context.Context, act Action, rs Resource, e *entry, at time.Time, err error) (bool, error) {
	r, st, rep := s.r, s.st, s.rep
	level, result, key := slog.LevelInfo, "ok", e.Key
	var aerr *ActionError
	if err == nil {
		e.Key, e.Attempts, e.Failed, e.RetryAt = "", 0, "", time.Time{}
		switch act {
		case Quarantine:
			e.Stage, e.QuarantinedAt = stQuarantined, at
			rep.Quarantined = append(rep.Quarantined, rs.ID)
		case Delete:
			e.Stage = stDeleted
			rep.Deleted = append(rep.Deleted, rs.ID)
		default:
			delete(st.Entries, rs.ID)
			rep.Restored = append(rep.Restored, rs.ID)
		}
	} else if errors.Is(err, ErrPrecondition) {
		rep.Skipped = append(rep.Skipped, rs.ID)
		switch act {
		case Quarantine:
			delete(st.Entries, rs.ID) // it changed: judge it afresh
		case Delete:
			e.Stage, e.Key = stQuarantined, ""
		}
		level, result = slog.LevelError, "precondition"
		aerr = &ActionError{Resource: rs.ID, Action: act, Err: err}
	} else {
		e.Attempts++
		e.Failed = err.Error()
		e.RetryAt = at.Add(backoff(r.cfg.limits.Backoff, e.Attempts))
		aerr = &ActionError{Resource: rs.ID, Action: act, Attempts: e.Attempts, Err: err}
		level, result = slog.LevelError, "failed"
		if e.Attempts >= r.cfg.limits.MaxAttempts {
			e.Stage, e.Parked, aerr.Parked, result = stParked, act, true, "parked"
			rep.Parked = append(rep.Parked, aerr)
		}
	}
	r.metrics.action(ctx, act, result)
	var failure error
	if aerr != nil {
		failure = aerr
	}
	if stop, serr := s.save(ctx, failure); stop {
		return true, serr
	}
	attrs := []slog.Attr{slog.String("resource", rs.ID), slog.String("action", act.String()), slog.String("key", key)}
	if aerr != nil {
		attrs = append(attrs, slog.Int("attempts", aerr.Attempts), slog.Bool("parked", aerr.Parked), slog.Any("err", err))
	}
	if err := r.audit(ctx, level, "action", act.String()+" "+result, s.n, s.mode, attrs...); err != nil {
		return true, errors.Join(failure, err)
	}
	return false, failure
}

// save stores the ledger mid-action; a failure stops all further action.
func (s *sweep) save(ctx context.Context, failure error) (bool, error) {
	if err := s.r.store(ctx, s.st, s.now); err != nil {
		return true, errors.Join(failure, err)
	}
	return false, failure
}

// backoff is the wait after the n-th failed try: base doubled n-1 times,
// at most a year.
func backoff(base time.Duration, n int) time.Duration {
	const ceiling = 365 * 24 * time.Hour
	d := base
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}
