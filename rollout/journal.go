package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/deploysafe/deploysafe/internal/journalfile"
	"sync"
	"time"
)

// JournalStore keeps a rollout's journal: an append-only sequence of opaque
// records, written ahead of each step they describe, so that a rollout whose
// process died can be resumed or aborted. The executor calls it from one
// goroutine at a time. Append must be durable when it returns nil, and Load
// returns every record appended so far, in order.
//
// FileJournal keeps one on local disk; the rollout/pgjournal package keeps
// one in PostgreSQL, shared by replicas, with an ownership lease: a method
// Check(ctx) (now time.Time, token int64, err error), which the executor
// uses to prove the lease before every call (see the package doc).
type JournalStore interface {
	Append(ctx context.Context, rec []byte) error
	Load(ctx context.Context) ([][]byte, error)
}

// maxSkew is how far in the future a journal record may be stamped before
// Load refuses to believe it: replicas' clocks disagree by a little, never
// by this much.
const maxSkew = 5 * time.Minute

// memJournal is the default journal: it survives a failed or interrupted
// call, not a process exit. It keeps records as they are, since nothing
// outside the process reads it: no encoding per record.
type memJournal struct {
	mu   sync.Mutex
	recs []record
}

func (m *memJournal) add(r record) {
	m.mu.Lock()
	m.recs = append(m.recs, r)
	m.mu.Unlock()
}

func (m *memJournal) all() []record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]record(nil), m.recs...)
}

// Append and Load make memJournal a JournalStore (the executor calls add
// and all instead).
func (m *memJournal) Append(_ context.Context, b []byte) error {
	r, err := decodeRecord(b)
	if err != nil {
		return err
	}
	m.add(r)
	return nil
}

func (m *memJournal) Load(context.Context) ([][]byte, error) {
	var out [][]byte
	for _, r := range m.all() {
		b, err := encodeRecord(r)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func encodeRecord(r record) ([]byte, error) { return json.Marshal(r) }

func decodeRecord(b []byte) (record, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%w: %v", journalfile.ErrCorrupt, err)
	}
	if !knownKinds[r.Kind] {
		return r, fmt.Errorf("%w: unknown record kind %q", journalfile.ErrCorrupt, r.Kind)
	}
	return r, nil
}

// loadRecords reads and decodes every record of s, and refuses records
// stamped more than maxSkew after now: believing them would make every
// window measured against them wrong.
func loadRecords(ctx context.Context, s JournalStore, now time.Time) ([]record, error) {
	var recs []record
	if m, ok := s.(*memJournal); ok {
		recs = m.all()
	} else {
		raw, err := s.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: load: %w", ErrJournal, err)
		}
		recs = make([]record, 0, len(raw))
		for i, b := range raw {
			r, err := decodeRecord(b)
			if err != nil {
				return nil, fmt.Errorf("%w: record %d: %w", ErrJournal, i, err)
			}
			recs = append(recs, r)
		}
	}
	for i, r := range recs {
		if r.Time != 0 {
			if skew := time.Unix(0, r.Time).Sub(now); skew > maxSkew {
				return nil, fmt.Errorf("%w: record %d (%s) is stamped %v in the future of this machine's clock (tolerance %v): clock skew between the replicas that wrote it; fix the clocks, then Resume", ErrJournal, i, r.Kind, skew.Round(time.Second), maxSkew)
			}
		}
	}
	return recs, nil
}
