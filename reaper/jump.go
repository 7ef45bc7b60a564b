package reaper

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// A replica's wall clock can jump (an NTP step, a VM restored or resumed,
// a host that slept): every wait measured from a stamp taken before the jump
// would be shortened or stretched by it. Within one process the reaper
// compares how far the measuring clock moved between two of its calls with
// how far the process's monotonic clock moved, and on a difference larger
// than jumpTolerance moves every stamp of the ledger by the jump before
// measuring anything, so that the waits count only the time that passed.

// jumpTolerance is the difference between the wall clock's and the
// monotonic clock's advance that counts as a jump: NTP slews by far less.
const jumpTolerance = skewTolerance

// clockRef is where the measuring clock and the monotonic clock stood at
// this process's last basis point (the start of a sweep, an Acknowledge, a
// Restore). The zero value is none.
type clockRef struct {
	wall, mono time.Time
}

// jumpOf returns how far the measuring clock's reading now jumped since ref
// (0 within jumpTolerance, or when it cannot be told), and the reference
// to keep once the jump, if any, is recorded. It tells only for a clock of
// the replica (the ledger keeps no time) whose readings carry a monotonic
// reading, as time.Now's do: a simulated clock is believed.
func (r *Reaper) jumpOf(now time.Time) (time.Duration, clockRef) {
	if _, ok := r.ledger.(ledgerClock); ok {
		return 0, clockRef{}
	}
	if now == now.Round(0) {
		return 0, clockRef{} // no monotonic reading: a simulated clock
	}
	next := clockRef{wall: now.Round(0), mono: time.Now()}
	prev := r.ref
	if prev.mono.IsZero() {
		return 0, next
	}
	j := next.wall.Sub(prev.wall) - next.mono.Sub(prev.mono)
	if j <= jumpTolerance && j >= -jumpTolerance {
		return 0, next
	}
	return j, next
}

// onBasis returns a reading of the measuring clock taken during a sweep
// (an action's outcome) on the basis of the sweep's start: less any jump
// since then, which the next sweep applies to every stamp alike.
func (r *Reaper) onBasis(t time.Time) time.Time {
	if r.ref.mono.IsZero() || t == t.Round(0) {
		return t
	}
	if _, ok := r.ledger.(ledgerClock); ok {
		return t
	}
	j := t.Round(0).Sub(r.ref.wall) - time.Since(r.ref.mono)
	if j <= jumpTolerance && j >= -jumpTolerance {
		return t
	}
	return t.Add(-j)
}

// shiftStamps moves every stamp of st by d.
func shiftStamps(st *state, d time.Duration) {
	move := func(t *time.Time) {
		if !t.IsZero() {
			*t = t.Add(d)
		}
	}
	move(&st.At)
	if st.Halt != nil {
		move(&st.Halt.At)
	}
	for _, e := range st.Entries {
		move(&e.First)
		move(&e.QuarantinedAt)
		move(&e.RetryAt)
		move(&e.Missing)
	}
}

// rebase applies a jump of the measuring clock to st and audits it; the
// caller stores st and then keeps ref.
func (r *Reaper) rebase(ctx context.Context, st *state, j time.Duration, sweep uint64) error {
	shiftStamps(st, j)
	dir := "ahead"
	if j < 0 {
		dir = "back"
	}
	return r.audit(ctx, slog.LevelWarn, "clock",
		fmt.Sprintf("the replica's clock jumped %v %s since this process last read it; every stamp moved with it, so no wait counts the jump", j.Abs(), dir),
		sweep, r.cfg.mode, slog.Duration("jump", j))
}

// basis reads the measuring clock at the start of Acknowledge or Restore
// and applies a jump to st; the caller stores st.
func (r *Reaper) basis(ctx context.Context, st *state) (time.Time, func(), error) {
	now, err := r.measure(ctx)
	if err != nil {
		return time.Time{}, nil, err
	}
	j, ref := r.jumpOf(now)
	keep := func() { r.ref = ref }
	if j != 0 {
		if err := r.rebase(ctx, st, j, st.Sweeps); err != nil {
			return time.Time{}, nil, err
		}
	}
	return now, keep, nil
}

// measureDone reads the measuring clock after an action, on the sweep's basis.
func (s *sweep) measureDone(ctx context.Context) (time.Time, error) {
	t, err := s.r.measure(ctx)
	return s.r.onBasis(t), err
}
