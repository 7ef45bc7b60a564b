package rollout

import (
	"fmt"
	"strings"
)

// Outcome is how a rollout ended.
type Outcome string

// Outcomes.
const (
	// OutcomeSucceeded: every wave deployed, was confirmed and passed its
	// gates and bake, and no census found an off-plan change.
	OutcomeSucceeded Outcome = "succeeded"
	// OutcomeRolledBack: a deploy, confirmation, census or gate failed;
	// every touched target was confirmed back on its previous version, and
	// with PutBack every off-plan change was put back.
	OutcomeRolledBack Outcome = "rolled back"
	// OutcomeRehearsalFailed: the rollback rehearsal failed; the rollout
	// stopped before the next wave. See Report.Targets for each target.
	OutcomeRehearsalFailed Outcome = "stopped: rollback rehearsal failed"
	// OutcomeUnknown: a rollback left at least one target unconfirmed, or
	// (PutBack) did not put back an off-plan change; Report.Targets lists
	// each one with its error.
	OutcomeUnknown Outcome = "failed with targets in unknown state"
	// OutcomeAborted: Abort rolled back every touched target.
	OutcomeAborted Outcome = "aborted"
	// OutcomeInterrupted: the context ended or the journal failed; nothing was
	// rolled back automatically. Call Resume or Abort.
	OutcomeInterrupted Outcome = "interrupted"
)

func (o Outcome) sentinel() error {
	switch o {
	case OutcomeRolledBack:
		return ErrRolledBack
	case OutcomeRehearsalFailed:
		return ErrRehearsal
	case OutcomeUnknown:
		return ErrUnknownState
	}
	return nil
}

// TargetState is what the executor knows about one target.
type TargetState string

// Target states.
const (
	// StateDeploying: a deploy was started and its result is not recorded.
	StateDeploying TargetState = "deploying"
	// StateDeployed: the target was confirmed on the plan's version.
	StateDeployed TargetState = "deployed"
	// StateRollingBack: a rollback was started and its result is not recorded.
	StateRollingBack TargetState = "rolling back"
	// StateRolledBack: the target was confirmed (Version) on its previous
	// version. TargetResult.Unhealthy says whether the gates passed then.
	StateRolledBack TargetState = "rolled back"
	// StateUnknown: the target could not be confirmed on any expected version.
	StateUnknown TargetState = "unknown"
	// StateOffPlan: a target outside the waves deployed so far whose version
	// changed under the rollout (Previous → Now); PutBack says whether it
	// was put back.
	StateOffPlan TargetState = "off-plan change"
)

// TargetResult is the final known state of one touched target.
type TargetResult struct {
	Target   string
	Wave     int    // the target's wave, 1 for the canary (see Event.Wave); 0 for a target outside the plan
	Previous string // version before the rollout touched it
	State    TargetState
	// Now is the version a census found it changed to (StateOffPlan).
	Now string
	// Unhealthy: rolled back, but the gates failed afterwards (PhaseVerify).
	Unhealthy bool
	// PutBack: the target was confirmed back on Previous by a put back
	// (PutBack option): an off-plan change, or a deployed target something
	// else moved (then State is StateRolledBack). An off-plan target with
	// PutBack false and a non-nil Err was due to be put back and was not: it
	// stays on Now.
	PutBack bool
	Err     error // why the state is unknown or a put back did not happen, or the last error seen
}

// Report describes a finished (or interrupted) rollout.
type Report struct {
	Fingerprint string
	Version     string
	Outcome     Outcome
	WavesPassed int            // waves that deployed, passed gates and baked
	Targets     []TargetResult // every touched target in deploy order, then off-plan changes
	// Cause is what stopped the rollout (*GateError, *TargetError,
	// *OffPlanError, ...); nil on success.
	Cause error
	// Rollback joins the per-target rollback problems; nil when all confirmed.
	Rollback error
	// Verify is the gate failure after the rollback: the rolled-back targets
	// are unhealthy.
	Verify error
}

// failure is the error returned when a rollout did not succeed. It wraps the
// outcome's sentinel, the cause, the rollback and verify errors.
type failure struct{ rep *Report }

func (f *failure) Error() string {
	r := f.rep
	var b strings.Builder
	fmt.Fprintf(&b, "rollout %s", r.Outcome)
	if r.Cause != nil {
		fmt.Fprintf(&b, ": %s", strings.ReplaceAll(r.Cause.Error(), "\n", "; "))
	}
	if r.Rollback != nil {
		fmt.Fprintf(&b, "; rollback: %s", strings.ReplaceAll(r.Rollback.Error(), "\n", "; "))
	}
	if r.Verify != nil {
		fmt.Fprintf(&b, "; rolled back but UNHEALTHY: %s", strings.ReplaceAll(r.Verify.Error(), "\n", "; "))
	}
	var unknown, off, put, left []string
	for _, t := range r.Targets {
		switch {
		case t.State == StateOffPlan:
			off = append(off, fmt.Sprintf("%s %s→%s", t.Target, t.Previous, t.Now))
			if !t.PutBack && t.Err != nil { // a put back was due and did not happen
				left = append(left, fmt.Sprintf("%s (left on %s)", t.Target, t.Now))
			}
		case unknownState(t.State):
			unknown = append(unknown, t.Target)
		}
		if t.PutBack {
			put = append(put, t.Target)
		}
	}
	if len(off) > 0 {
		fmt.Fprintf(&b, "; %d off-plan change(s): %s", len(off), list(off))
	}
	if len(put) > 0 {
		fmt.Fprintf(&b, "; put back: %s", list(put))
	}
	if len(left) > 0 {
		fmt.Fprintf(&b, "; NOT put back: %s", list(left))
	}
	if len(unknown) > 0 {
		fmt.Fprintf(&b, "; %d target(s) in unknown state: %s", len(unknown), strings.Join(unknown, ", "))
	}
	return b.String()
}

func (f *failure) Unwrap() []error {
	r := f.rep
	out := []error{}
	if s := r.Outcome.sentinel(); s != nil {
		out = append(out, s)
	}
	if r.Outcome != OutcomeUnknown {
		for _, t := range r.Targets {
			if unknownState(t.State) {
				out = append(out, ErrUnknownState)
				break
			}
		}
	}
	for _, e := range []error{r.Cause, r.Rollback, r.Verify} {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

func unknownState(s TargetState) bool {
	return s == StateUnknown || s == StateDeploying || s == StateRollingBack
}
