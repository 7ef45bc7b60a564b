package reaper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"strconv"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// stage is where a resource is in the reaper's pipeline.
type stage string

const (
	stCandidate    stage = "candidate"    // judged orphan, in grace
	stQuarantining stage = "quarantining" // quarantine issued, outcome unknown
	stQuarantined  stage = "quarantined"
	stRestoring    stage = "restoring" // restore issued, outcome unknown
	stDeleting     stage = "deleting"  // delete issued, outcome unknown
	stDeleted      stage = "deleted"
	stParked       stage = "parked" // an action failed Limits.MaxAttempts times
)

func (s stage) valid() bool {
	switch s {
	case stCandidate, stQuarantining, stQuarantined, stRestoring, stDeleting, stDeleted, stParked:
		return true
	}
	return false
}

// entry is the ledger's memory of one resource that is, or was, judged
// orphaned. Resources judged alive or unknown have no entry.
type entry struct {
	Stage         stage             `json:"stage"`
	Streak        int               `json:"streak,omitempty"` // consecutive orphan sweeps
	First         time.Time         `json:"first"`            // first orphan verdict of the streak
	Last          uint64            `json:"last,omitempty"`   // sweep number of the last orphan verdict
	QuarantinedAt time.Time         `json:"quarantined_at,omitempty"`
	Key           string            `json:"key,omitempty"` // idempotency key of the issued action
	Attrs         map[string]string `json:"attrs,omitempty"`
	// Failed actions: tries so far, the last error, and when the next try
	// may start. A parked entry keeps the action it gave up on.
	Attempts int       `json:"attempts,omitempty"`
	Failed   string    `json:"failed,omitempty"`
	RetryAt  time.Time `json:"retry_at,omitzero"`
	Parked   Action    `json:"parked,omitempty"`
	// Missing is when the inventory first stopped listing the resource;
	// zero while it is listed.
	Missing time.Time `json:"missing,omitzero"`
}

// halt is an unacknowledged breaker trip.
type halt struct {
	ID    string    `json:"id"`
	Sweep uint64    `json:"sweep"`
	At    time.Time `json:"at"`
	Trips []Trip    `json:"trips"`
}

// state is everything the reaper remembers between sweeps.
type state struct {
	Sweeps        uint64            `json:"sweeps"`         // completed sweeps
	LastInventory int               `json:"last_inventory"` // size at the last completed sweep
	Seq           uint64            `json:"seq"`            // action key counter
	Entries       map[string]*entry `json:"entries"`
	Shadow        map[string]int    `json:"shadow"` // stratum → shadow sweeps
	Halt          *halt             `json:"halt,omitempty"`
	Allow         map[string]int    `json:"allow,omitempty"` // acknowledged trip key → count
	At            time.Time         `json:"at,omitzero"`     // measuring clock when last stored
	Last          *SweepSummary     `json:"last,omitempty"`  // the last completed sweep
}

func newState() *state {
	return &state{Entries: map[string]*entry{}, Shadow: map[string]int{}}
}

const ledgerMagic = "reaper-ledger/1"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// encodeState returns the ledger bytes: a header line with the length and
// CRC-32C of the JSON body, then the body.
func encodeState(s *state) ([]byte, error) {
	body, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("%w: encode: %v", ErrLedger, err)
	}
	head := fmt.Sprintf("%s %d %08x\n", ledgerMagic, len(body), crc32.Checksum(body, castagnoli))
	return append([]byte(head), body...), nil
}

// decodeState parses ledger bytes. Empty input is a fresh state; anything
// truncated, corrupt or inconsistent is an error wrapping ErrLedger.
func decodeState(b []byte) (*state, error) {
	if len(b) == 0 {
		return newState(), nil
	}
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 || nl > 64 {
		return nil, fmt.Errorf("%w: no header line", ErrLedger)
	}
	f := bytes.Fields(b[:nl])
	if len(f) != 3 || string(f[0]) != ledgerMagic {
		return nil, fmt.Errorf("%w: bad header %q", ErrLedger, b[:nl])
	}
	n, err := strconv.Atoi(string(f[1]))
	body := b[nl+1:]
	if err != nil || n != len(body) {
		return nil, fmt.Errorf("%w: body is %d bytes, header says %q (truncated?)", ErrLedger, len(body), f[1])
	}
	sum, err := strconv.ParseUint(string(f[2]), 16, 32)
	if err != nil || len(f[2]) != 8 || uint32(sum) != crc32.Checksum(body, castagnoli) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrLedger)
	}
	s := newState()
	if err := json.Unmarshal(body, s); err != nil {
		return nil, fmt.Errorf("%w: decode: %v", ErrLedger, err)
	}
	if s.Entries == nil {
		s.Entries = map[string]*entry{}
	}
	if s.Shadow == nil {
		s.Shadow = map[string]int{}
	}
	for id, e := range s.Entries {
		if id == "" || e == nil || !e.Stage.valid() || e.Streak < 0 {
			return nil, fmt.Errorf("%w: invalid entry %q", ErrLedger, clip.String(id))
		}
	}
	for k, n := range s.Shadow {
		if n < 0 {
			return nil, fmt.Errorf("%w: negative shadow count for %q", ErrLedger, clip.String(k))
		}
	}
	if s.LastInventory < 0 {
		return nil, fmt.Errorf("%w: negative inventory size", ErrLedger)
	}
	if s.Halt != nil && s.Halt.ID == "" {
		return nil, fmt.Errorf("%w: halt without id", ErrLedger)
	}
	return s, nil
}

// load reads and decodes the ledger.
func (r *Reaper) load(ctx context.Context) (*state, error) {
	blob, err := r.ledger.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: load: %w", ErrLedger, err)
	}
	return decodeState(blob)
}

// store encodes and stores st, stamped with the measuring clock's now.
func (r *Reaper) store(ctx context.Context, st *state, now time.Time) error {
	st.At = now
	blob, err := encodeState(st)
	if err != nil {
		return err
	}
	if err := r.ledger.Store(ctx, blob); err != nil {
		return fmt.Errorf("%w: store: %w", ErrLedger, err)
	}
	return nil
}
