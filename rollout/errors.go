package rollout

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Match them with errors.Is; the struct errors below carry
// the detail.
var (
	// ErrOffPlan: a target outside the plan was (or was about to be)
	// changed: a deployer call for it was refused before reaching the
	// deployer, or a census found that its version changed.
	ErrOffPlan = errors.New("rollout: target not in plan")
	// ErrHook reports a wave hook that failed; the rollout rolled back.
	ErrHook = errors.New("rollout: wave hook failed")
	// ErrLeaseLost: the journal's lease could not be proven (its connection
	// ended, another executor may hold it now). The rollout stopped without
	// rolling back, and cancelled the context of every call in flight; the
	// next holder Resumes it.
	ErrLeaseLost = errors.New("rollout: journal lease lost")
	// ErrInvalidPlan: NewPlan, New or an option rejected its input. Nothing
	// was deployed.
	ErrInvalidPlan = errors.New("rollout: invalid plan")
	// ErrFingerprint: the approved fingerprint is not the plan's, or the
	// journal belongs to another plan. Nothing was deployed.
	ErrFingerprint = errors.New("rollout: fingerprint mismatch")
	// ErrVacuousGate: a gate's calibration (Gate.Calibrate) found that it
	// cannot fail, or could not tell; nothing was deployed.
	ErrVacuousGate = errors.New("rollout: a gate cannot fail")
	// ErrGateFailed: a gate returned an error (fail, inconclusive, anything)
	// or did not pass within its deadline (GateError.TimedOut).
	ErrGateFailed = errors.New("rollout: gate failed")
	// ErrConfirm: after Deploy returned, the target did not report the
	// plan's version within the settle time (TargetError.Want, Found).
	ErrConfirm = errors.New("rollout: deploy not confirmed")
	// ErrCensus: the fleet census failed, timed out or listed nonsense
	// (duplicates, nothing); the fleet's state is unknown, so the rollout
	// went no further.
	ErrCensus = errors.New("rollout: fleet census failed")
	// ErrRolledBack: the rollout failed and every touched target was
	// confirmed (by Version) to be back on its previous version.
	ErrRolledBack = errors.New("rollout: rolled back")
	// ErrUnknownState: at least one touched target could not be confirmed to
	// be on its previous version; the report lists each one.
	ErrUnknownState = errors.New("rollout: targets in unknown state")
	// ErrRehearsal: the rollback rehearsal on the canary wave failed; the
	// rollout stopped before the next wave.
	ErrRehearsal = errors.New("rollout: rollback rehearsal failed")
	// ErrJournal: the journal could not be read or written, or holds records
	// stamped in the future (clock skew); the rollout stopped at once.
	// Resume or Abort it once the journal works.
	ErrJournal = errors.New("rollout: journal")
	// ErrInProgress: the journal holds an unfinished rollout (call Resume or
	// Abort), or another executor holds the journal's lease (a JournalStore
	// says which: pgjournal.ErrLeaseHeld matches ErrInProgress and has its
	// own message).
	ErrInProgress = errors.New("rollout: unfinished rollout in journal")
	// ErrNothingToResume: the journal holds no unfinished rollout of this plan.
	ErrNothingToResume = errors.New("rollout: nothing to resume")
)

// OffPlanError is the detail of ErrOffPlan.
type OffPlanError struct {
	// Op is the refused call ("deploy", "rollback", "version"), or "census"
	// when a census found Target changed by something other than the rollout.
	Op     string
	Target string // the target outside the plan
	// Version is the refused version (Op "deploy" of a version the plan
	// does not deploy), or the version a census found (Op "census").
	Version string
	// Before is the version the first census recorded (Op "census").
	Before string
}

// Error names the refused operation or the change, and the target.
func (e *OffPlanError) Error() string {
	switch {
	case e.Op == "census":
		return fmt.Sprintf("rollout: %q is not in this rollout's deployed waves but changed from %q to %q", e.Target, e.Before, e.Version)
	case e.Version != "":
		return fmt.Sprintf("rollout: refused %s of version %q to %q: the plan deploys another version", e.Op, e.Version, e.Target)
	}
	return fmt.Sprintf("rollout: refused %s for %q: target not in plan", e.Op, e.Target)
}

// Unwrap returns ErrOffPlan.
func (e *OffPlanError) Unwrap() error { return ErrOffPlan }

func refuse(op, target, version string) error {
	return &OffPlanError{Op: op, Target: target, Version: version}
}

func short(fp string) string {
	if len(fp) > 16 {
		return fp[:16] + "…"
	}
	return fp
}

// TargetError reports what went wrong with one target.
type TargetError struct {
	Target string
	// Op is "deploy", "confirm" (Deploy returned but the version did not
	// follow), "rollback", "version", "put back" or "smoke".
	Op string
	// Want and Found are the version the executor required and the one the
	// target reported (Op "confirm", "put back").
	Want, Found string
	// Diagnostics is what Smoke's Diagnose captured (Op "smoke").
	Diagnostics string
	Err         error
}

// Error names the operation and the target.
func (e *TargetError) Error() string {
	msg := fmt.Sprintf("rollout: %s %q", e.Op, e.Target)
	if e.Want != "" {
		msg += fmt.Sprintf(": want version %q, found %q", e.Want, e.Found)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Diagnostics != "" {
		msg += "; diagnostics: " + e.Diagnostics
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *TargetError) Unwrap() error { return e.Err }

// GateError reports a gate that did not pass. It wraps ErrGateFailed and
// what the check returned.
type GateError struct {
	Gate      string
	Phase     string // see GateInput.Phase
	Wave      int    // the wave's number, 1 for the canary (see GateInput.Wave)
	Deadline  time.Duration
	TimedOut  bool  // the deadline passed before the check passed
	Abandoned bool  // the check ignored its context and was left running
	Err       error // what the check returned (nil when abandoned)
}

// Error names the gate, phase and wave, and says whether it hung.
func (e *GateError) Error() string {
	switch {
	case e.Abandoned:
		return fmt.Sprintf("rollout: gate %q (%s, wave %d) hung: no answer within its %v deadline; abandoned", e.Gate, e.Phase, e.Wave, e.Deadline)
	case e.TimedOut:
		return fmt.Sprintf("rollout: gate %q (%s, wave %d) did not pass within its %v deadline: %v", e.Gate, e.Phase, e.Wave, e.Deadline, e.Err)
	}
	return fmt.Sprintf("rollout: gate %q (%s, wave %d) failed: %v", e.Gate, e.Phase, e.Wave, e.Err)
}

// Unwrap returns ErrGateFailed and the check's error.
func (e *GateError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrGateFailed}
	}
	return []error{ErrGateFailed, e.Err}
}

// interruptError marks a stop caused by the caller's context (or a lost
// lease); running when the call it interrupted had not returned.
type interruptError struct {
	err     error
	running bool
}

func (e *interruptError) Error() string { return "rollout interrupted: " + e.err.Error() }
func (e *interruptError) Unwrap() error { return e.err }

// journalError marks a failed journal write: the rollout stops at once.
type journalError struct{ err error }

func (e *journalError) Error() string   { return fmt.Sprintf("%v: append: %v", ErrJournal, e.err) }
func (e *journalError) Unwrap() []error { return []error{ErrJournal, e.err} }
