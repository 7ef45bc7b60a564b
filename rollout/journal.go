package rollout

import (
	"context"
	"sync"
)

// RecordKind names a journal record.
type RecordKind string

// Record kinds, in the order a rollout writes them.
const (
	RecBegin          RecordKind = "begin"           // Fingerprint, Version: a rollout starts
	RecDeploying      RecordKind = "deploying"       // Target, Wave, Version=previous version: before Deploy
	RecDeployed       RecordKind = "deployed"        // Target: Deploy returned nil
	RecDeployFailed   RecordKind = "deploy-failed"   // Target, Note: Deploy returned an error
	RecWavePassed     RecordKind = "wave-passed"     // Wave: gates passed and bake done
	RecRehearsalStart RecordKind = "rehearsal-start" // Wave: the rehearsal rollback begins
	RecRehearsed      RecordKind = "rehearsed"       // Wave: rollback confirmed and gates passed
	RecRollbackStart  RecordKind = "rollback-start"  // Note=reason: every touched target is rolled back
	RecRollingBack    RecordKind = "rolling-back"    // Target: before Rollback
	RecRolledBack     RecordKind = "rolled-back"     // Target: confirmed on its previous version
	RecUnknown        RecordKind = "unknown"         // Target, Note: state could not be confirmed
	RecEnd            RecordKind = "end"             // Note=outcome
)

var knownKinds = map[RecordKind]bool{
	RecBegin: true, RecDeploying: true, RecDeployed: true, RecDeployFailed: true,
	RecWavePassed: true, RecRehearsalStart: true, RecRehearsed: true, RecRollbackStart: true,
	RecRollingBack: true, RecRolledBack: true, RecUnknown: true, RecEnd: true,
}

// Record is one journal entry.
type Record struct {
	Kind        RecordKind `json:"k"`
	Fingerprint string     `json:"f,omitempty"`
	Wave        int        `json:"w,omitempty"`
	Target      string     `json:"t,omitempty"`
	Version     string     `json:"v,omitempty"`
	Note        string     `json:"n,omitempty"`
}

// Journal records a rollout's progress so that a rollout whose process died
// can be resumed or aborted. The executor calls it from one goroutine at a
// time, and writes a record before each step it describes (write-ahead).
// Append must be durable when it returns nil.
type Journal interface {
	Append(ctx context.Context, r Record) error
	Load(ctx context.Context) ([]Record, error)
}

// MemJournal is a Journal in memory: it survives a failed or interrupted
// call, not a process exit. The zero value is an empty journal, safe for
// concurrent use.
type MemJournal struct {
	mu   sync.Mutex
	recs []Record
}

var _ Journal = (*MemJournal)(nil)

// Append adds r.
func (m *MemJournal) Append(_ context.Context, r Record) error {
	m.mu.Lock()
	m.recs = append(m.recs, r)
	m.mu.Unlock()
	return nil
}

// Load returns a copy of every record.
func (m *MemJournal) Load(context.Context) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Record(nil), m.recs...), nil
}
