package rollout

import (
	"context"
	"fmt"
)

// rehearsalError ends a rollout whose rollback rehearsal failed: the canary
// wave is rolled back (or unknown), and nothing else was touched.
type rehearsalError struct{ err, rollback, verify error }

func (e *rehearsalError) Error() string { return e.err.Error() }
func (e *rehearsalError) Unwrap() error { return e.err }

// rehearse rolls the freshly deployed canary wave back, confirms it and
// runs its gates on the previous version. It returns nil when the rehearsal
// passed and the wave should be deployed again.
func (r *run) rehearse(ctx context.Context, w int) error {
	wave := r.p.waves[w]
	if !r.st.rehearsalStarted {
		in := GateInput{Phase: phaseDeploy, Wave: w + 1, Targets: wave.targets, Version: r.p.version, Pass: 1}
		if err := r.runGates(ctx, wave.gates, in); err != nil {
			return err // an ordinary failure: roll back
		}
		if err := r.recordEmit(record{Kind: recRehearsalStart, Wave: w}, Event{Kind: "rehearsal", Wave: w + 1}); err != nil {
			return err
		}
	}
	rbErr, stop := r.rollbackTargets(ctx, r.toRollBack(w))
	if stop != nil {
		return stop
	}
	if rbErr != nil {
		return &rehearsalError{err: fmt.Errorf("%w: rollback of wave %d: %w", ErrRehearsal, w+1, rbErr), rollback: rbErr}
	}
	in := GateInput{Phase: phaseRehearsal, Wave: w + 1, Targets: wave.targets, Pass: 1}
	if err := r.runGates(ctx, r.verifyGates(w), in); err != nil {
		if stopNow(ctx, err) {
			return err
		}
		return &rehearsalError{err: fmt.Errorf("%w: gates after rollback of wave %d: %w", ErrRehearsal, w+1, err), verify: err}
	}
	return r.record(record{Kind: recRehearsed, Wave: w})
}
