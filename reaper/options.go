package reaper

import (
	"fmt"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Mode says how far the reaper may go.
type Mode uint8

const (
	// Shadow (the default) decides and records, and never acts.
	Shadow Mode = iota
	// Quarantine acts, but only reversibly.
	Quarantine
	// Delete quarantines, and deletes after the quarantine window.
	Delete
)

// String returns "shadow", "quarantine" or "delete".
func (m Mode) String() string {
	switch m {
	case Shadow:
		return "shadow"
	case Quarantine:
		return "quarantine"
	case Delete:
		return "delete"
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// Limits bound what one sweep may do. Counts and fractions are compared
// with "more than": a fraction f of a population n allows ceil(f·n).
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
	// MaxAge halts when the inventory snapshot is older than this.
	MaxAge time.Duration
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
func DefaultLimits() Limits {
	return Limits{MaxActions: 10, MaxFraction: 0.01, MaxStratumFraction: 0.10, MaxShrink: 0.10, MaxAge: time.Hour}
}

func (l Limits) validate() error {
	switch {
	case l.MaxActions < 0:
		return fmt.Errorf("reaper: Limits.MaxActions %d is negative: %w", l.MaxActions, ErrConfig)
	case badFrac(l.MaxFraction):
		return fmt.Errorf("reaper: Limits.MaxFraction %v not in [0,1]: %w", l.MaxFraction, ErrConfig)
	case badFrac(l.MaxStratumFraction):
		return fmt.Errorf("reaper: Limits.MaxStratumFraction %v not in [0,1]: %w", l.MaxStratumFraction, ErrConfig)
	case badFrac(l.MaxShrink):
		return fmt.Errorf("reaper: Limits.MaxShrink %v not in [0,1]: %w", l.MaxShrink, ErrConfig)
	case l.MaxAge <= 0:
		return fmt.Errorf("reaper: Limits.MaxAge %v must be positive: %w", l.MaxAge, ErrConfig)
	}
	return nil
}

func badFrac(f float64) bool { return math.IsNaN(f) || f < 0 || f > 1 }

// Defaults, with their reasons.
const (
	// DefaultVotes and DefaultSources: two Orphan votes from two distinct
	// sources. With the usual three observers one wrong observer can
	// neither condemn a resource alone nor block cleanup by being down.
	DefaultVotes, DefaultSources = 2, 2
	// DefaultGraceSweeps and DefaultGracePeriod: three consecutive sweeps
	// spanning a day. One sweep is a snapshot; a day crosses deploys,
	// cron jobs and timezones of whoever owns the resource.
	DefaultGraceSweeps, DefaultGracePeriod = 3, 24 * time.Hour
	// DefaultQuarantineWindow: three days in quarantine with no Alive signal
	// before deletion, so a weekend passes before anything is final.
	DefaultQuarantineWindow = 72 * time.Hour
	// DefaultShadowSweeps: every stratum is watched in shadow mode for as
	// many sweeps as the grace period needs before the reaper may act on it.
	DefaultShadowSweeps = DefaultGraceSweeps
	// DefaultConcurrency bounds concurrent Observe calls.
	DefaultConcurrency = 16
	// DefaultObserveTimeout bounds one Observe call; a late answer is Unknown.
	DefaultObserveTimeout = 10 * time.Second
)

// DefaultRate is one action per second, burst one: a human watching the
// audit log can stop a bad run long before it gets far.
var DefaultRate = rate.Every(time.Second)

type config struct {
	votes, sources   int
	graceSweeps      int
	gracePeriod      time.Duration
	quarantineWindow time.Duration
	shadowSweeps     int
	limits           Limits
	strata           []string
	mode             Mode
	rate             rate.Limit
	burst            int
	concurrency      int
	timeout          time.Duration
	sink             Sink
	lease            Lease
	clock            Clock
	errs             []error
}

// Option configures New. Options are sealed: build them with the With…
// functions.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithQuorum requires votes Orphan votes from at least sources distinct
// sources (default 2 of 2). votes may not exceed the number of observers.
func WithQuorum(votes, sources int) Option {
	return optionFunc(func(c *config) { c.votes, c.sources = votes, sources })
}

// WithGrace requires a resource to be judged orphaned in at least sweeps
// consecutive sweeps spanning at least period before any action.
func WithGrace(sweeps int, period time.Duration) Option {
	return optionFunc(func(c *config) { c.graceSweeps, c.gracePeriod = sweeps, period })
}

// WithQuarantineWindow sets how long a resource stays quarantined with no
// Alive vote before Delete mode deletes it.
func WithQuarantineWindow(d time.Duration) Option {
	return optionFunc(func(c *config) { c.quarantineWindow = d })
}

// WithLimits replaces the breaker limits (start from DefaultLimits).
func WithLimits(l Limits) Option { return optionFunc(func(c *config) { c.limits = l }) }

// WithStrata names the attribute keys that group the fleet, e.g. "region",
// "generation", "kind". Each key=value is a stratum; a missing attribute is
// its own stratum (key=""). Without strata the whole fleet is one stratum.
func WithStrata(keys ...string) Option {
	return optionFunc(func(c *config) { c.strata = append([]string(nil), keys...) })
}

// WithMode sets the mode (default Shadow). Beyond Shadow, a sweep still
// runs as Shadow until every stratum it sees has had WithShadowSweeps
// shadow sweeps.
func WithMode(m Mode) Option { return optionFunc(func(c *config) { c.mode = m }) }

// WithShadowSweeps sets how many shadow sweeps each stratum needs before
// the reaper acts on it (default DefaultShadowSweeps).
func WithShadowSweeps(n int) Option { return optionFunc(func(c *config) { c.shadowSweeps = n }) }

// WithRate limits actions (quarantines and deletes; restores are never
// delayed). Default DefaultRate, burst 1.
func WithRate(limit rate.Limit, burst int) Option {
	return optionFunc(func(c *config) { c.rate, c.burst = limit, burst })
}

// WithConcurrency bounds concurrent Observe calls (default 16).
func WithConcurrency(n int) Option { return optionFunc(func(c *config) { c.concurrency = n }) }

// WithObserveTimeout bounds each Observe call (default 10s); a call that
// runs longer counts as Unknown.
func WithObserveTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.timeout = d })
}

// WithAudit sends audit records to sink (default: SlogSink(slog.Default())).
func WithAudit(sink Sink) Option {
	return optionFunc(func(c *config) {
		if sink == nil {
			c.errs = append(c.errs, fmt.Errorf("reaper: WithAudit(nil): %w", ErrConfig))
		}
		c.sink = sink
	})
}

// WithLease makes each sweep take lease first, and re-check it before every
// action, so that of several replicas only one acts.
func WithLease(l Lease) Option {
	return optionFunc(func(c *config) {
		if l == nil {
			c.errs = append(c.errs, fmt.Errorf("reaper: WithLease(nil): %w", ErrConfig))
		}
		c.lease = l
	})
}

// WithClock replaces the wall clock (tests use a fake one).
func WithClock(c Clock) Option {
	return optionFunc(func(cf *config) {
		if c == nil {
			cf.errs = append(cf.errs, fmt.Errorf("reaper: WithClock(nil): %w", ErrConfig))
		}
		cf.clock = c
	})
}
