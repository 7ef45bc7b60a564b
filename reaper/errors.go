package reaper

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// Sentinel errors. Match them with errors.Is; the struct errors carry detail.
var (
	// ErrConfig: New rejected its arguments. Nothing was built.
	ErrConfig = errors.New("reaper: invalid configuration")
	// ErrBlastRadius: the breaker tripped; the sweep halted before acting
	// and every later sweep refuses until Acknowledge. See *BreakerError.
	ErrBlastRadius = errors.New("reaper: blast-radius breaker tripped")
	// ErrHalted: a previous sweep's halt has not been acknowledged; nothing
	// was observed or acted on.
	ErrHalted = errors.New("reaper: halted, awaiting acknowledgement")
	// ErrNotPromoted: the configured mode was refused because some stratum
	// has not been observed in shadow mode long enough; the sweep ran as
	// Shadow. See *PromotionError.
	ErrNotPromoted = errors.New("reaper: promotion refused")
	// ErrPrecondition: the resource changed since it was judged. A
	// deprovisioner wraps it to refuse an action.
	ErrPrecondition = errors.New("reaper: precondition failed")
	// ErrLeaseHeld: another replica holds the lease; this sweep did nothing.
	ErrLeaseHeld = errors.New("reaper: lease held by another replica")
	// ErrLeaseLost: the lease was lost mid-sweep; no further action was taken.
	ErrLeaseLost = errors.New("reaper: lease lost")
	// ErrLedger: the ledger could not be read, written or decoded; nothing
	// more was acted on.
	ErrLedger = errors.New("reaper: ledger")
	// ErrAudit: an audit record could not be written; nothing more was
	// acted on (an action the log cannot show is not taken).
	ErrAudit = errors.New("reaper: audit sink")
	// ErrInventory: the inventory could not be listed; nothing was acted on.
	ErrInventory = errors.New("reaper: inventory")
	// ErrNotFound: Restore was asked for a resource the ledger does not hold
	// in quarantine, or Acknowledge for a halt that is not the current one.
	ErrNotFound = errors.New("reaper: not found")
	// ErrClockSkew: the ledger holds a time stamped further in the future
	// than the skew tolerance (another replica's clock is ahead, or this
	// one's behind), or the listing's AsOf is in the future. The sweep
	// acted on nothing; the message names the skew.
	ErrClockSkew = errors.New("reaper: clock skew")
)

// Trip is one limit the breaker found exceeded.
type Trip struct {
	// Limit names the rule: "actions", "inventory-fraction",
	// "stratum-fraction", "observer-stratum-fraction", "inventory-empty",
	// "inventory-shrunk", "inventory-stale", "inventory-invalid".
	Limit string
	// Stratum is "key=value" for per-stratum limits, else empty.
	Stratum string
	// Observer names the observer for "observer-stratum-fraction".
	Observer string
	// Count is what was seen; Allowed is the most the limit permits.
	// Total is the population the fraction is of (0 for absolute limits).
	Count, Allowed, Total int
	// Detail is a human explanation.
	Detail string
}

// key identifies the rule and scope of a trip, for acknowledgements.
func (t Trip) key() string { return t.Limit + "|" + t.Stratum + "|" + t.Observer }

// scope is where the trip applies, for one-line summaries.
func (t Trip) scope() string {
	if t.Stratum != "" && t.Observer != "" {
		return fmt.Sprintf("[%s] observer %s: %d of %d", clip.String(t.Stratum), clip.String(t.Observer), t.Count, t.Total)
	}
	if t.Stratum != "" {
		return fmt.Sprintf("[%s]: %d of %d", clip.String(t.Stratum), t.Count, t.Total)
	}
	if t.Total > 0 {
		return fmt.Sprintf("%d of %d", t.Count, t.Total)
	}
	return fmt.Sprintf("%d", t.Count)
}

// String describes the trip in one line, a long stratum or observer name
// clipped.
func (t Trip) String() string { return t.format(clip.String) }

// format is String with names passed through q (haltID hashes them whole).
func (t Trip) format(q func(string) string) string {
	var b strings.Builder
	b.WriteString(t.Limit)
	if t.Stratum != "" {
		fmt.Fprintf(&b, " [%s]", q(t.Stratum))
	}
	if t.Observer != "" {
		fmt.Fprintf(&b, " observer %s", q(t.Observer))
	}
	if t.Total > 0 {
		fmt.Fprintf(&b, ": %d of %d (allowed %d)", t.Count, t.Total, t.Allowed)
	} else {
		fmt.Fprintf(&b, ": %d (allowed %d)", t.Count, t.Allowed)
	}
	if t.Detail != "" {
		b.WriteString(": " + t.Detail)
	}
	return b.String()
}

// BreakerError lists what tripped. It wraps ErrBlastRadius. The sweep that
// returns it acted on nothing; pass HaltID to Reaper.Acknowledge to resume.
type BreakerError struct {
	HaltID string
	Sweep  uint64 // the sweep that halted
	// At is when that sweep started, on the measuring clock (the ledger's
	// if it keeps time: the database's for pgreaper).
	At    time.Time
	Trips []Trip
}

// Error summarises the BreakerError in one line: the first trip and how
// many more; the full list is in Trips.
func (e *BreakerError) Error() string {
	more := ""
	if len(e.Trips) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(e.Trips)-1)
	}
	first := "no trips"
	if len(e.Trips) > 0 {
		first = e.Trips[0].String()
	}
	return fmt.Sprintf("reaper: blast-radius breaker tripped (halt %s, sweep %d); nothing was acted on: %s%s",
		e.HaltID, e.Sweep, first, more)
}

// Unwrap returns ErrBlastRadius.
func (e *BreakerError) Unwrap() error { return ErrBlastRadius }

// PromotionError lists the strata that block the configured mode. It wraps
// ErrNotPromoted.
type PromotionError struct {
	Action   Action         // the configured Act
	Required int            // shadow sweeps each stratum needs
	Strata   map[string]int // stratum lacking them → shadow sweeps so far
}

// Error describes the PromotionError, strata in order.
func (e *PromotionError) Error() string {
	names := make([]string, 0, len(e.Strata))
	for s := range e.Strata {
		names = append(names, s)
	}
	sort.Strings(names)
	for i, s := range names {
		names[i] = fmt.Sprintf("%s (%d/%d)", clip.String(s), e.Strata[s], e.Required)
	}
	return fmt.Sprintf("reaper: promotion to %s refused, ran as shadow: strata not yet observed in shadow mode for %d sweeps: %s",
		e.Action, e.Required, strings.Join(names, ", "))
}

// Unwrap returns ErrNotPromoted.
func (e *PromotionError) Unwrap() error { return ErrNotPromoted }

// ActionError is one failed action on one resource. A sweep joins them
// with errors.Join. Parked says the resource reached Limits.MaxAttempts
// and will not be tried again; Attempts counts the tries so far.
type ActionError struct {
	Resource string
	Action   Action
	Attempts int
	Parked   bool
	Err      error
}

// Error describes the ActionError.
func (e *ActionError) Error() string {
	if e.Parked {
		return fmt.Sprintf("reaper: %s %s: parked after %d attempts: %v", e.Action, clip.String(e.Resource), e.Attempts, e.Err)
	}
	return fmt.Sprintf("reaper: %s %s: %v", e.Action, clip.String(e.Resource), e.Err)
}

// Unwrap returns the underlying error.
func (e *ActionError) Unwrap() error { return e.Err }

// panicError is the evidence recorded when an observer panicked; the vote
// counts as Unknown.
type panicError struct {
	Observer string
	Value    any
}

func (e *panicError) Error() string {
	return fmt.Sprintf("reaper: observer %s panicked: %v", clip.String(e.Observer), e.Value)
}

func sortedTrips(ts []Trip) []Trip {
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].key() < ts[j].key() })
	return ts
}
