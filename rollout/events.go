package rollout

import (
	"context"
	"log/slog"
	"time"
)

// EventKind names a step of a rollout.
type EventKind int

// Event kinds.
const (
	EventStart          EventKind = iota + 1 // a rollout starts or resumes
	EventWave                                // a wave starts
	EventDeploy                              // Deploy is called for Target
	EventDeployed                            // Deploy succeeded (or the target already ran the version)
	EventDeployFailed                        // Deploy failed (Err)
	EventGate                                // Gate ran: Err is nil on pass
	EventWavePassed                          // a wave's gates passed and its bake is done
	EventRehearsal                           // the canary wave's rollback rehearsal starts
	EventRollback                            // an automatic rollback or Abort starts (Err is the reason)
	EventRolledBack                          // Target confirmed on its previous version
	EventRollbackFailed                      // Target not confirmed (Err)
	EventDone                                // the rollout ended (Outcome; Err on failure)
)

var eventNames = [...]string{"", "start", "wave", "deploy", "deployed", "deploy failed", "gate",
	"wave passed", "rehearsal", "rollback", "rolled back", "rollback failed", "done"}

// String returns the event kind's name.
func (k EventKind) String() string {
	if k > 0 && int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "invalid"
}

// Event describes one step. Fields that do not apply are zero.
type Event struct {
	Time    time.Time
	Kind    EventKind
	Wave    int // index into Plan.Waves
	Target  string
	Gate    string
	Phase   Phase
	Outcome Outcome
	Err     error
}

// emit sends e to the callback and the logger. Callers hold r.mu, so the
// callback is never called concurrently.
func (r *run) emit(e Event) {
	if r.e.onEvent == nil && r.e.logger == nil {
		return
	}
	e.Time = r.e.clock.Now()
	if r.e.onEvent != nil {
		r.e.onEvent(e)
	}
	if l := r.e.logger; l != nil {
		level := slog.LevelInfo
		switch {
		case e.Err != nil:
			level = slog.LevelWarn
		case e.Target != "":
			level = slog.LevelDebug
		}
		if !l.Enabled(context.Background(), level) {
			return
		}
		attrs := []slog.Attr{slog.String("fingerprint", short(r.p.fingerprint)), slog.Int("wave", e.Wave+1)}
		if e.Target != "" {
			attrs = append(attrs, slog.String("target", e.Target))
		}
		if e.Gate != "" {
			attrs = append(attrs, slog.String("gate", e.Gate), slog.String("phase", e.Phase.String()))
		}
		if e.Outcome != 0 {
			attrs = append(attrs, slog.String("outcome", e.Outcome.String()))
		}
		if e.Err != nil {
			attrs = append(attrs, slog.String("error", e.Err.Error()))
		}
		l.LogAttrs(context.Background(), level, "rollout "+e.Kind.String(), attrs...)
	}
}
