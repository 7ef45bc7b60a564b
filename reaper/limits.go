package reaper

import (
	"fmt"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Limits bound what the reaper does: how much one sweep may decide (the
// breaker), how fast it acts, how often it retries, how long it remembers.
// Start from DefaultLimits and change what you need; every field must be
// set. Counts and fractions are compared with "more than": a fraction f of
// a population n allows ceil(f·n).
type Limits struct {
	// MaxActions caps quarantines plus deletes planned in one sweep.
	MaxActions int
	// MaxFraction caps orphan verdicts as a fraction of the inventory.
	MaxFraction float64
	// MaxStratumFraction caps, within every stratum, both the orphan
	// verdicts and each single observer's Orphan votes.
	MaxStratumFraction float64
	// MaxShrink halts when the inventory shrank by more than this fraction
	// since the last completed sweep.
	MaxShrink float64
	// MaxAge halts when the listing is older than this.
	MaxAge time.Duration

	// Rate and Burst pace quarantines and deletes (restores are never
	// delayed); rate.Inf lifts the pace.
	Rate  rate.Limit
	Burst int
	// Concurrency bounds concurrent Observe calls; ObserveTimeout bounds
	// each one, and a late answer is Unknown.
	Concurrency    int
	ObserveTimeout time.Duration

	// MaxAttempts is how often an action that fails (other than by
	// ErrPrecondition) is tried on one resource before the resource is
	// parked: left alone, with its error in the report, the audit and
	// Status, until it leaves the inventory. Backoff is the wait after the
	// first failure, doubled after each further one.
	MaxAttempts int
	Backoff     time.Duration
	// Retention is how long the ledger remembers a quarantined or parked
	// resource the inventory no longer lists; a resource missing longer is
	// forgotten (and never acted on blind meanwhile).
	Retention time.Duration
}

// DefaultLimits returns the defaults, each with its reason:
//
//   - MaxActions 10: a reaper's normal day is a handful of leftovers;
//     ten stopped servers is an outage a person can undo by hand.
//   - MaxFraction 0.01: steady-state orphan rates are a fraction of a
//     percent; 1% of a fleet at once means the detector, not the fleet,
//     changed. On a small fleet this bites early (1% of 240 allows 3
//     orphans): raise it there on purpose, or acknowledge the halt.
//   - MaxStratumFraction 0.10: Xervo's bug hit one host generation in
//     full. A fleet-wide fraction hides a small stratum going 100% orphan;
//     a per-stratum limit (and per observer) does not.
//   - MaxShrink 0.10: a truncated listing (lost page, one region's API
//     down) drops far more than the organic churn between two sweeps.
//   - MaxAge 1h: a listing older than an hour no longer describes what the
//     observers see.
//   - Rate one action per second, Burst 1: a human watching the audit log
//     can stop a bad run long before it gets far.
//   - Concurrency 16, ObserveTimeout 10s: enough to sweep a large fleet,
//     and a hung data source costs one timeout, not a sweep.
//   - MaxAttempts 5, Backoff 1h: a delete that fails five times over a
//     day (1+2+4+8 hours) needs a person, not a sixth try.
//   - Retention 30 days: long enough for an inventory outage to end,
//     short enough that the ledger does not grow forever.
func DefaultLimits() Limits {
	return Limits{
		MaxActions: 10, MaxFraction: 0.01, MaxStratumFraction: 0.10, MaxShrink: 0.10, MaxAge: time.Hour,
		Rate: rate.Every(time.Second), Burst: 1, Concurrency: 16, ObserveTimeout: 10 * time.Second,
		MaxAttempts: 5, Backoff: time.Hour, Retention: 30 * 24 * time.Hour,
	}
}

func (l Limits) validate() error {
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("reaper: Limit: %s "+format+": %w", append(append([]any{field}, a...), ErrConfig)...)
	}
	// One if per limit, not a switch: gremlins (.ci/mutation) never mutates
	// case expressions, and each of these bounds is pinned by a test.
	if l.MaxActions < 0 {
		return bad("MaxActions", "%d is negative", l.MaxActions)
	}
	if badFrac(l.MaxFraction) {
		return bad("MaxFraction", "%v not in [0,1]", l.MaxFraction)
	}
	if badFrac(l.MaxStratumFraction) {
		return bad("MaxStratumFraction", "%v not in [0,1]", l.MaxStratumFraction)
	}
	if badFrac(l.MaxShrink) {
		return bad("MaxShrink", "%v not in [0,1]", l.MaxShrink)
	}
	if l.MaxAge <= 0 {
		return bad("MaxAge", "%v must be positive", l.MaxAge)
	}
	if l.Rate < 0 || math.IsNaN(float64(l.Rate)) {
		return bad("Rate", "%v is negative", l.Rate)
	}
	if l.Burst < 1 && l.Rate != rate.Inf {
		return bad("Burst", "%d must be at least 1", l.Burst)
	}
	if l.Concurrency < 1 {
		return bad("Concurrency", "%d must be at least 1", l.Concurrency)
	}
	if l.ObserveTimeout <= 0 {
		return bad("ObserveTimeout", "%v must be positive", l.ObserveTimeout)
	}
	if l.MaxAttempts < 1 {
		return bad("MaxAttempts", "%d must be at least 1", l.MaxAttempts)
	}
	if l.Backoff < 0 {
		return bad("Backoff", "%v is negative", l.Backoff)
	}
	if l.Retention <= 0 {
		return bad("Retention", "%v must be positive", l.Retention)
	}
	return nil
}

func badFrac(f float64) bool { return math.IsNaN(f) || f < 0 || f > 1 }
