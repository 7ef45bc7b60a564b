package rollout

import (
	"context"
	"errors"
	"time"
)

// Inspect reads the journal s and reports the state of its latest rollout
// without acting or taking any lease: the plan's fingerprint and version,
// the waves passed, and every touched target, as Run's Report would. The
// Outcome is empty while the rollout has not ended (running, or
// interrupted: Resume or Abort it). Inspect returns (nil, nil) for a
// journal that holds no rollout. (A FileJournal's file is read without
// writing by the deploysafe command: rollout status --journal.)
func Inspect(ctx context.Context, s JournalStore) (*Report, error) {
	if s == nil {
		return nil, errors.Join(ErrJournal, errors.New("rollout: Inspect: nil journal"))
	}
	recs, err := loadRecords(ctx, s, time.Now())
	if err != nil {
		return nil, err
	}
	st := fold(recs)
	if !st.begun {
		return nil, nil
	}
	rep := &Report{Fingerprint: st.fingerprint, Version: st.version, WavesPassed: len(st.wavePassed)}
	if st.ended {
		rep.Outcome = Outcome(st.outcome)
	}
	for _, t := range append(append([]*tstate(nil), st.order...), st.offPlan...) {
		res := TargetResult{Target: t.target, Wave: t.wave + 1, Previous: t.prev, State: t.state, Now: t.now, PutBack: t.putBack}
		res.Unhealthy = t.state == StateRolledBack && st.unhealthy != ""
		if t.note != "" {
			res.Err = errors.New(t.note)
		}
		rep.Targets = append(rep.Targets, res)
	}
	return rep, nil
}
