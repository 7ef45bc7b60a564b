package reaper

import (
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"
)

// Defaults of the options, with their reasons (the limits' are in
// DefaultLimits).
const (
	// Two Orphan votes from two distinct sources: with the usual three
	// observers one wrong observer can neither condemn a resource alone
	// nor block cleanup by being down.
	defaultVotes, defaultSources = 2, 2
	// Three consecutive sweeps spanning a day: one sweep is a snapshot; a
	// day crosses deploys, cron jobs and timezones of whoever owns it.
	defaultGraceSweeps, defaultGracePeriod = 3, 24 * time.Hour
	// Three days in quarantine before deletion, so a weekend passes
	// before anything is final.
	defaultQuarantineWindow = 72 * time.Hour
)

type config struct {
	votes, sources   int
	graceSweeps      int
	gracePeriod      time.Duration
	quarantineWindow time.Duration
	shadowSweeps     int
	limits           Limits
	strata           []string
	mode             Action // 0: shadow
	log              *slog.Logger
	lease            Lease
	now              func() time.Time
	meters           metric.MeterProvider
	errs             []error
}

// Option configures New. Options are sealed: build them with the functions
// below. An option given a value that cannot work makes New fail with an
// error that names it and wraps ErrConfig.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

func (c *config) fail(format string, a ...any) {
	c.errs = append(c.errs, fmt.Errorf("reaper: "+format+": %w", append(a, ErrConfig)...))
}

// Quorum requires votes Orphan votes from at least sources distinct
// sources (default 2 of 2). votes may not exceed the number of observers.
func Quorum(votes, sources int) Option {
	return optionFunc(func(c *config) { c.votes, c.sources = votes, sources })
}

// Grace requires a resource to be judged orphaned in at least sweeps
// consecutive sweeps spanning at least period before any action
// (default 3 sweeps over 24h).
func Grace(sweeps int, period time.Duration) Option {
	return optionFunc(func(c *config) { c.graceSweeps, c.gracePeriod = sweeps, period })
}

// QuarantineWindow sets how long a resource stays quarantined with no
// Alive vote before Act(Delete) deletes it (default 72h).
func QuarantineWindow(d time.Duration) Option {
	return optionFunc(func(c *config) { c.quarantineWindow = d })
}

// Act lets the reaper act: Quarantine only reversibly, Delete up to
// deletion, on each stratum (region, host generation…) once it has been
// watched for shadowSweeps shadow sweeps. Until then, and without Act, the
// reaper runs in shadow mode: it decides and records, and never acts. A
// new stratum is watched before it is touched; as many shadow sweeps as
// grace sweeps (3 by default) is the usual choice.
func Act(a Action, shadowSweeps int) Option {
	return optionFunc(func(c *config) {
		if a != Quarantine && a != Delete {
			c.fail("Act(%v, %d): only Quarantine or Delete", a, shadowSweeps)
		} else if shadowSweeps < 0 {
			c.fail("Act(%v, %d): negative shadow sweeps", a, shadowSweeps)
		}
		c.mode, c.shadowSweeps = a, shadowSweeps
	})
}

// Strata names the attribute keys that group the fleet, e.g. "region",
// "generation", "kind". Each key=value is a stratum; a missing attribute is
// its own stratum (key=""). Without strata the whole fleet is one stratum.
func Strata(keys ...string) Option {
	return optionFunc(func(c *config) { c.strata = append([]string(nil), keys...) })
}

// Limit replaces the limits (start from DefaultLimits).
func Limit(l Limits) Option { return optionFunc(func(c *config) { c.limits = l }) }

// Logger sends the audit trail to l: every verdict with its votes and
// evidence (Debug), re-checks (Debug), actions (Info; failures Error),
// breaker halts (Error), acknowledgements and refused promotions (Warn),
// and one summary per sweep (Info), stamped with the reaper's clock. The
// reaper calls l's Handler directly: if Handle returns an error the sweep
// stops before its next action (ErrAudit), since an action the audit
// cannot show is not taken. Default: silent.
func Logger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l == nil {
			c.fail("Logger(nil)")
		}
		c.log = l
	})
}

// Elect makes each sweep take lease first, and re-check it before every
// action, so that of several replicas only one acts.
func Elect(l Lease) Option {
	return optionFunc(func(c *config) {
		if l == nil {
			c.fail("Elect(nil)")
		}
		c.lease = l
	})
}

// Clock replaces time.Now as the replica's wall clock: audit timestamps,
// Precondition.JudgedAt, and, unless the ledger keeps time (see "Clocks"),
// grace, quarantine and the listing's age. A jump of a clock whose readings
// carry a monotonic reading, as time.Now's do, is detected (see "Clocks");
// one without (a simulation) is believed as it is: a simulation that starts
// from time.Now should start from time.Now().Round(0).
func Clock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now == nil {
			c.fail("Clock(nil)")
		}
		c.now = now
	})
}

// MeterProvider records the reaper's metrics (see "Metrics") through mp;
// nil or absent means the global provider.
func MeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) { c.meters = mp })
}
