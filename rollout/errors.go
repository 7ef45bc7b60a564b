package rollout

import (
	"errors"
	"fmt"
	"strings"

	"github.com/deploysafe/deploysafe/rollout/internal/guard"
)

// Sentinel errors. Match them with errors.Is; the struct errors below carry
// the detail.
var (
	// ErrOffPlan: a deployer call for a target not in the plan (or for a
	// version other than the plan's) was refused; the deployer was not called.
	ErrOffPlan = guard.ErrOffPlan
	// ErrInvalidPlan: NewPlan rejected its input. Nothing was deployed.
	ErrInvalidPlan = errors.New("rollout: invalid plan")
	// ErrFingerprint: the approved fingerprint is not the plan's, or the
	// journal belongs to another plan. Nothing was deployed.
	ErrFingerprint = errors.New("rollout: fingerprint mismatch")
	// ErrGateFailed: a gate returned an error (fail, inconclusive, anything).
	ErrGateFailed = errors.New("rollout: gate failed")
	// ErrGateTimeout: a gate did not pass within its deadline.
	ErrGateTimeout = errors.New("rollout: gate deadline exceeded")
	// ErrDeploy: the deployer's Deploy returned an error.
	ErrDeploy = errors.New("rollout: deploy failed")
	// ErrRolledBack: the rollout failed and every touched target was
	// confirmed (by Version) to be back on its previous version.
	ErrRolledBack = errors.New("rollout: rolled back")
	// ErrUnknownState: at least one touched target could not be confirmed to
	// be on its previous version; the report lists each one.
	ErrUnknownState = errors.New("rollout: targets in unknown state")
	// ErrRehearsal: the rollback rehearsal on the canary wave failed; the
	// rollout stopped before the next wave.
	ErrRehearsal = errors.New("rollout: rollback rehearsal failed")
	// ErrVerify: gates failed after a rollback.
	ErrVerify = errors.New("rollout: gates failed after rollback")
	// ErrJournal: the journal could not be read or written; the rollout
	// stopped at once. Resume or Abort it once the journal works.
	ErrJournal = errors.New("rollout: journal")
	// ErrInProgress: the journal holds an unfinished rollout; call Resume or Abort.
	ErrInProgress = errors.New("rollout: unfinished rollout in journal")
	// ErrNothingToResume: the journal holds no unfinished rollout of this plan.
	ErrNothingToResume = errors.New("rollout: nothing to resume")
)

// OffPlanError is the detail of a refused deployer call (wraps ErrOffPlan).
type OffPlanError = guard.OffPlanError

// FingerprintError is the detail of ErrFingerprint. It says only that the
// plan is not the one approved; Plan.Changes says what differs.
type FingerprintError struct {
	Approved string // what the operator approved (or what the journal holds)
	Actual   string // the plan's fingerprint
	Source   string // "approval" or "journal"
}

// Error says which fingerprints differ and that nothing was deployed.
func (e *FingerprintError) Error() string {
	return fmt.Sprintf("rollout: %s fingerprint %q does not match plan fingerprint %q; nothing was deployed", e.Source, short(e.Approved), short(e.Actual))
}

// Unwrap returns ErrFingerprint.
func (e *FingerprintError) Unwrap() error { return ErrFingerprint }

func short(fp string) string {
	if len(fp) > 16 {
		return fp[:16] + "…"
	}
	return fp
}

// TargetError reports what went wrong with one target.
type TargetError struct {
	Target string
	Op     string // "deploy", "rollback", "version", "confirm"
	Err    error
}

// Error names the operation and the target.
func (e *TargetError) Error() string {
	return fmt.Sprintf("%s %q: %v", e.Op, e.Target, e.Err)
}

// Unwrap returns the underlying error.
func (e *TargetError) Unwrap() error { return e.Err }

// Failure is the error returned when a rollout did not succeed. It wraps the
// first cause, the per-target rollback errors (a *multierror.Error) and the
// outcome sentinel (ErrRolledBack, ErrUnknownState, ErrRehearsal, ...), so
// errors.Is and errors.As see all of them.
type Failure struct {
	Outcome  Outcome
	Cause    error    // what stopped the rollout: *GateError, *TargetError, ...
	Rollback error    // per-target rollback problems (*multierror.Error); nil when all confirmed
	Verify   error    // gate failures after the rollback
	Unknown  []string // targets not confirmed on their previous (or the new) version
}

// Error summarizes the outcome, cause, rollback and verification.
func (f *Failure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rollout %s", f.Outcome)
	if f.Cause != nil {
		fmt.Fprintf(&b, ": %v", f.Cause)
	}
	if f.Rollback != nil {
		fmt.Fprintf(&b, "; rollback: %v", strings.TrimSpace(f.Rollback.Error()))
	}
	if f.Verify != nil {
		fmt.Fprintf(&b, "; verify: %v", f.Verify)
	}
	if len(f.Unknown) > 0 {
		fmt.Fprintf(&b, "; %d target(s) in unknown state: %s", len(f.Unknown), strings.Join(f.Unknown, ", "))
	}
	return b.String()
}

// Unwrap returns the outcome sentinel, the cause, the rollback and verify errors.
func (f *Failure) Unwrap() []error {
	out := []error{}
	if s := f.Outcome.sentinel(); s != nil {
		out = append(out, s)
	}
	if len(f.Unknown) > 0 && f.Outcome != OutcomeUnknown {
		out = append(out, ErrUnknownState)
	}
	for _, e := range []error{f.Cause, f.Rollback, f.Verify} {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}
