package rollout

import (
	"context"
	"log/slog"
	"time"
)

// Event describes one step. Kind is one of: "start", "wave", "deploy",
// "deployed", "deploy failed", "census", "off-plan", "gate", "wave passed",
// "rehearsal", "rollback", "rolled back", "rollback failed", "put back",
// "wait" (a Resume or Abort waits out an earlier holder's calls; Elapsed
// is how long), "lease lost" (Err wraps ErrLeaseLost), "done". Fields that
// do not apply are zero.
type Event struct {
	Time time.Time
	Kind string
	// Wave is a wave's number, counted from 1 (the canary) as in the plan's
	// preview and every message. A target's events ("deploy", "deployed",
	// "deploy failed", "off-plan", "rolled back", "rollback failed", "put
	// back") carry the wave the target belongs to in the plan, 0 for a
	// target outside the plan. The others carry the wave the rollout has
	// reached: "census" the wave after which it was taken, "rollback" the
	// wave whose failure caused it. 0 means no wave: before the first wave
	// ("start" and the baseline "census" of a Run) and outside the plan.
	Wave    int
	Target  string
	Gate    string
	Phase   string // see GateInput.Phase
	Outcome Outcome
	Err     error // the failure (on "gate", nil when the gate passed; on "census", what it found changed)
	// Elapsed is how long the gate ran ("gate"), or how long a Resume
	// waits ("wait").
	Elapsed time.Duration
	// Measured is what a failed gate measured, when its check's error
	// implements slog.LogValuer (a canary judgement with its values).
	Measured slog.Value
}

// record appends rec to the journal (write-ahead) and applies it.
func (r *run) record(rec record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recordLocked(rec)
}

func (r *run) recordLocked(rec record) error {
	rec.Time = time.Now().UnixNano()
	if m, ok := r.j.(*memJournal); ok {
		m.add(rec)
	} else {
		b, err := encodeRecord(rec)
		if err != nil {
			return &journalError{err: err}
		}
		if err := r.j.Append(r.jctx, b); err != nil {
			return &journalError{err: err}
		}
	}
	r.st.apply(rec)
	return nil
}

// recordEmit appends rec and emits ev under one lock.
func (r *run) recordEmit(rec record, ev Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.recordLocked(rec); err != nil {
		return err
	}
	r.emit(ev)
	return nil
}

func (r *run) event(ev Event) {
	r.mu.Lock()
	r.emit(ev)
	r.mu.Unlock()
}

// emit sends e to the callback and the logger. Callers hold r.mu, so the
// callback is never called concurrently.
func (r *run) emit(e Event) {
	e.Time = time.Now()
	if e.Kind == "gate" && e.Err != nil {
		e.Measured, _ = measured(e.Err)
	}
	r.e.meters.record(e)
	if r.e.onEvent != nil {
		r.e.onEvent(e)
	}
	l := r.e.logger
	if l == nil {
		return
	}
	level := slog.LevelInfo
	switch {
	case e.Kind == "rollback failed" || e.Kind == "off-plan" || e.Kind == "done" && e.Err != nil && e.Outcome != OutcomeInterrupted:
		level = slog.LevelError
	case e.Err != nil || e.Kind == "rollback":
		level = slog.LevelWarn
	case e.Target != "":
		level = slog.LevelDebug
	}
	if !l.Enabled(context.Background(), level) {
		return
	}
	attrs := []slog.Attr{slog.String("fingerprint", short(r.p.fingerprint)), slog.Int("wave", e.Wave)}
	if e.Target != "" {
		attrs = append(attrs, slog.String("target", e.Target))
	}
	if e.Gate != "" {
		attrs = append(attrs, slog.String("gate", e.Gate), slog.String("phase", e.Phase))
	}
	if e.Outcome != "" {
		attrs = append(attrs, slog.String("outcome", string(e.Outcome)))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	if e.Measured.Kind() != slog.KindAny || e.Measured.Any() != nil {
		attrs = append(attrs, slog.Any("measured", e.Measured))
	}
	l.LogAttrs(context.Background(), level, "rollout "+e.Kind, attrs...)
}
