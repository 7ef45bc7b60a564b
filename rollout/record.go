package rollout

// recKind names a journal record.
type recKind string

// Record kinds, in the order a rollout writes them.
const (
	recBegin          recKind = "begin"           // Fingerprint, Version: a rollout starts
	recCensus         recKind = "census"          // Census: the fleet before the first deploy
	recDeploying      recKind = "deploying"       // Target, Wave, Version=previous version, Until: before Deploy
	recDeployed       recKind = "deployed"        // Target: confirmed on the plan's version
	recDeployFailed   recKind = "deploy-failed"   // Target, Note, Running: Deploy or its confirmation failed, or the call after an intent ended
	recWavePassed     recKind = "wave-passed"     // Wave: gates passed and bake done
	recRehearsalStart recKind = "rehearsal-start" // Wave: the rehearsal rollback begins
	recRehearsed      recKind = "rehearsed"       // Wave: rollback confirmed and gates passed
	recOffPlan        recKind = "off-plan"        // Target, Version=before, Note=after: a census found it changed
	recPutBack        recKind = "put-back"        // Target: confirmed back on its census version
	recRollbackStart  recKind = "rollback-start"  // Note=reason: every touched target is rolled back
	recRollingBack    recKind = "rolling-back"    // Target, Until: before Rollback or a put back's Deploy
	recRolledBack     recKind = "rolled-back"     // Target: confirmed on its previous version
	recUnhealthy      recKind = "unhealthy"       // Note: the gates failed after the rollback
	recUnknown        recKind = "unknown"         // Target, Note: state could not be confirmed
	recEnd            recKind = "end"             // Note=outcome
	recHookStart      recKind = "hook-start"      // Wave, Note=before|after: a wave hook begins
	recHookDone       recKind = "hook-done"       // Wave, Note=before|after: it returned nil
)

var knownKinds = map[recKind]bool{
	recBegin: true, recCensus: true, recDeploying: true, recDeployed: true, recDeployFailed: true,
	recWavePassed: true, recRehearsalStart: true, recRehearsed: true, recOffPlan: true, recPutBack: true,
	recRollbackStart: true, recRollingBack: true, recRolledBack: true, recUnhealthy: true, recUnknown: true, recEnd: true,
	recHookStart: true, recHookDone: true,
}

// record is one journal entry. Time is when it was written (Unix
// nanoseconds, this machine's clock): Load refuses records from the future.
type record struct {
	Kind        recKind           `json:"k"`
	Time        int64             `json:"at,omitempty"`
	Fingerprint string            `json:"f,omitempty"`
	Wave        int               `json:"w,omitempty"`
	Target      string            `json:"t,omitempty"`
	Version     string            `json:"v,omitempty"`
	Note        string            `json:"n,omitempty"`
	Census      map[string]string `json:"c,omitempty"`
	// Until is the deadline of the call an intent (deploying, rolling-back)
	// precedes: Unix nanoseconds on the store's clock (see lease).
	Until int64 `json:"u,omitempty"`
	// Running marks a failure recorded while the call had not returned
	// (abandoned, interrupted): its effect may still land before Until.
	Running bool `json:"r,omitempty"`
}
