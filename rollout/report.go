package rollout

// Outcome is how a rollout ended.
type Outcome int

// Outcomes.
const (
	// OutcomeSucceeded: every wave deployed and passed its gates and bake.
	OutcomeSucceeded Outcome = iota + 1
	// OutcomeRolledBack: a deploy or gate failed; every touched target was
	// confirmed back on its previous version.
	OutcomeRolledBack
	// OutcomeRehearsalFailed: the rollback rehearsal failed; the rollout
	// stopped before the next wave. See Report.Targets for each target.
	OutcomeRehearsalFailed
	// OutcomeUnknown: a rollback left at least one target unconfirmed;
	// Report.Targets lists it with its error.
	OutcomeUnknown
	// OutcomeAborted: Abort rolled back every touched target.
	OutcomeAborted
	// OutcomeInterrupted: the context ended or the journal failed; nothing was
	// rolled back automatically. Call Resume or Abort.
	OutcomeInterrupted
)

var outcomeNames = map[Outcome]string{
	OutcomeSucceeded:       "succeeded",
	OutcomeRolledBack:      "rolled back",
	OutcomeRehearsalFailed: "stopped: rollback rehearsal failed",
	OutcomeUnknown:         "failed with targets in unknown state",
	OutcomeAborted:         "aborted",
	OutcomeInterrupted:     "interrupted",
}

// String returns a short description of the outcome.
func (o Outcome) String() string {
	if s, ok := outcomeNames[o]; ok {
		return s
	}
	return "unfinished"
}

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
type TargetState int

// Target states.
const (
	// StateUntouched: the executor never called Deploy for the target.
	StateUntouched TargetState = iota
	// StateDeploying: a deploy was started and its result is not recorded.
	StateDeploying
	// StateDeployed: the target runs the plan's version.
	StateDeployed
	// StateRollingBack: a rollback was started and its result is not recorded.
	StateRollingBack
	// StateRolledBack: the target was confirmed (Version) on its previous version.
	StateRolledBack
	// StateUnknown: the target could not be confirmed on any expected version.
	StateUnknown
)

var stateNames = [...]string{"untouched", "deploying", "deployed", "rolling back", "rolled back", "unknown"}

// String returns the state's name.
func (s TargetState) String() string {
	if int(s) < len(stateNames) && s >= 0 {
		return stateNames[s]
	}
	return "invalid"
}

// TargetResult is the final known state of one touched target.
type TargetResult struct {
	Target   string
	Wave     int    // index into Plan.Waves
	Previous string // version before the rollout touched it
	State    TargetState
	Err      error // why the state is unknown, or the last error seen
}

// Report describes a finished (or interrupted) rollout.
type Report struct {
	Fingerprint string
	Version     string
	Outcome     Outcome
	WavesPassed int            // waves that deployed, passed gates and baked
	Targets     []TargetResult // every touched target, in deploy order
}

// Unknown returns the targets whose state is unknown.
func (r *Report) Unknown() []string {
	var out []string
	for _, t := range r.Targets {
		if t.State == StateUnknown || t.State == StateDeploying || t.State == StateRollingBack {
			out = append(out, t.Target)
		}
	}
	return out
}
