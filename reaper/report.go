package reaper

import "time"

// Report is what one sweep saw and did.
type Report struct {
	Sweep uint64 // this sweep's number (1 for the first)
	// Mode is how far the sweep could go: the configured Act, or the zero
	// Action (shadow) when none is configured or promotion was refused.
	Mode      Action
	Resources int // resources listed
	// Verdict counts.
	Alive, Orphan, Unknown int
	// Planned maps every resource with an action decided, taken or not,
	// to the action; in shadow mode these are only recorded.
	Planned map[string]Action
	// Resources acted on successfully.
	Quarantined, Restored, Deleted []string
	// Skipped lists actions dropped because the live re-check no longer
	// found quorum or the deprovisioner reported ErrPrecondition.
	Skipped []string
	// Parked lists the resources whose action failed for the last allowed
	// time in this sweep, each with the error that parked it.
	Parked []*ActionError
	// Pruned lists resources forgotten because the inventory had not
	// listed them for Limits.Retention.
	Pruned []string
	// Acknowledged lists breaker trips let through by an acknowledgement.
	Acknowledged []Trip
	// ClockJump is how far the replica's clock jumped (ahead if positive)
	// since this process last read it, when the jump exceeds five minutes;
	// the ledger's stamps were moved by it so that no wait counts it (see
	// "Clocks" in the package doc). Zero when none was seen.
	ClockJump time.Duration
}

// Status is a read-only view of the ledger.
type Status struct {
	Sweeps      uint64         // completed sweeps
	Last        *SweepSummary  // the last completed sweep; nil before the first, or on a ledger older than this field
	Halt        *BreakerError  // the unacknowledged halt, if any
	Candidates  []string       // judged orphaned, still in grace
	Quarantined []string       // quarantined, or quarantine/delete/restore in flight
	Deleted     []string       // deleted and still listed by the inventory
	Parked      []string       // given up on after Limits.MaxAttempts failures
	Shadow      map[string]int // stratum → shadow sweeps observed
	// Entries holds the detail of every Quarantined and Parked resource.
	Entries map[string]Entry
}

// SweepSummary is what the ledger keeps of a completed sweep.
type SweepSummary struct {
	At   time.Time `json:"at"`             // its start, on the measuring clock (the ledger's if it keeps time)
	Mode Action    `json:"mode,omitempty"` // as in Report.Mode
	// Resources listed, and the verdict counts.
	Resources int `json:"resources"`
	Alive     int `json:"alive"`
	Orphan    int `json:"orphan"`
	Unknown   int `json:"unknown"`
	// QuarantineWindow is the window the sweep measured quarantines with,
	// which Status measures each Entry.Deadline with; nil on a ledger
	// written before it was recorded (Status then uses its own).
	QuarantineWindow *time.Duration `json:"quarantine_window,omitempty"`
}

// Entry is what Status knows of one quarantined or parked resource.
type Entry struct {
	// Stage is "quarantining", "quarantined", "restoring" or "deleting"
	// (an action issued, its outcome not yet recorded), or "parked".
	Stage string
	// QuarantinedAt is when the quarantine succeeded (zero before), and
	// Deadline is QuarantinedAt plus the QuarantineWindow of the last sweep
	// (SweepSummary.QuarantineWindow): the earliest a delete may follow, if
	// the resource is still judged orphaned and the reaper acts with Delete.
	QuarantinedAt, Deadline time.Time
	// Attempts counts failed tries of the pending action, Err is the last
	// one's error, and Parked the action given up on (for "parked").
	Attempts int
	Err      string
	Parked   Action
}
