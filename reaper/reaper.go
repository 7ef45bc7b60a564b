package reaper

import (
	"fmt"
	"log/slog"
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// Reaper finds orphaned resources and, once enough independent evidence has
// accumulated and the blast radius is small, quarantines and then deletes
// them. Build one with New; call Sweep periodically. A Reaper serialises
// its own sweeps; several replicas coordinate through WithLease.
type Reaper struct {
	inv     Inventory
	obs     []Observer
	srcIdx  []int // observer → distinct-source index
	dep     Deprovisioner
	ledger  Ledger
	cfg     config
	limiter *rate.Limiter
	mu      sync.Mutex
}

const maxObservers = 64

// New builds a Reaper. inv lists the fleet, observers vote on each
// resource, dep acts, ledger remembers. Options override the defaults
// (Shadow mode, quorum 2 of 2 sources, grace 3 sweeps over 24h, quarantine
// window 72h, DefaultLimits). New rejects, with an error wrapping ErrConfig,
// anything that cannot work: no observers, a quorum larger than the
// observers or their distinct sources, negative limits, an unknown mode.
func New(inv Inventory, observers []Observer, dep Deprovisioner, ledger Ledger, opts ...Option) (*Reaper, error) {
	cfg := config{
		votes: DefaultVotes, sources: DefaultSources,
		graceSweeps: DefaultGraceSweeps, gracePeriod: DefaultGracePeriod,
		quarantineWindow: DefaultQuarantineWindow, shadowSweeps: DefaultShadowSweeps,
		limits: DefaultLimits(), mode: Shadow, rate: DefaultRate, burst: 1,
		concurrency: DefaultConcurrency, timeout: DefaultObserveTimeout,
		clock: wallClock{},
	}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("reaper: nil Option: %w", ErrConfig)
		}
		o.apply(&cfg)
	}
	if len(cfg.errs) > 0 {
		return nil, cfg.errs[0]
	}
	if cfg.sink == nil {
		cfg.sink = SlogSink(slog.Default())
	}
	switch {
	case inv == nil:
		return nil, fmt.Errorf("reaper: nil Inventory: %w", ErrConfig)
	case dep == nil:
		return nil, fmt.Errorf("reaper: nil Deprovisioner: %w", ErrConfig)
	case ledger == nil:
		return nil, fmt.Errorf("reaper: nil Ledger: %w", ErrConfig)
	case len(observers) == 0:
		return nil, fmt.Errorf("reaper: no observers: a reaper needs independent witnesses: %w", ErrConfig)
	case len(observers) > maxObservers:
		return nil, fmt.Errorf("reaper: %d observers, at most %d: %w", len(observers), maxObservers, ErrConfig)
	}
	r := &Reaper{inv: inv, obs: append([]Observer(nil), observers...), dep: dep, ledger: ledger}
	names := map[string]bool{}
	sources := map[string]int{}
	for i, o := range r.obs {
		if o == nil {
			return nil, fmt.Errorf("reaper: observer %d is nil: %w", i, ErrConfig)
		}
		n, s := o.Name(), o.Source()
		if n == "" || s == "" {
			return nil, fmt.Errorf("reaper: observer %d has empty Name or Source: %w", i, ErrConfig)
		}
		if names[n] {
			return nil, fmt.Errorf("reaper: two observers named %q: %w", n, ErrConfig)
		}
		names[n] = true
		if _, ok := sources[s]; !ok {
			sources[s] = len(sources)
		}
		r.srcIdx = append(r.srcIdx, sources[s])
	}
	if err := cfg.validate(len(r.obs), len(sources)); err != nil {
		return nil, err
	}
	r.cfg = cfg
	r.limiter = rate.NewLimiter(cfg.rate, cfg.burst)
	return r, nil
}

func (c *config) validate(observers, sources int) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("reaper: "+format+": %w", append(a, ErrConfig)...)
	}
	switch {
	case c.votes < 1:
		return bad("quorum votes %d must be at least 1", c.votes)
	case c.votes > observers:
		return bad("quorum of %d votes but only %d observers", c.votes, observers)
	case c.sources < 1:
		return bad("quorum sources %d must be at least 1", c.sources)
	case c.sources > c.votes:
		return bad("quorum needs %d distinct sources among only %d votes", c.sources, c.votes)
	case c.sources > sources:
		return bad("quorum needs %d distinct sources but observers read only %d", c.sources, sources)
	case c.graceSweeps < 1:
		return bad("grace sweeps %d must be at least 1", c.graceSweeps)
	case c.gracePeriod < 0:
		return bad("grace period %v is negative", c.gracePeriod)
	case c.quarantineWindow < 0:
		return bad("quarantine window %v is negative", c.quarantineWindow)
	case c.shadowSweeps < 0:
		return bad("shadow sweeps %d is negative", c.shadowSweeps)
	case c.mode > Delete:
		return bad("unknown mode %d", uint8(c.mode))
	case c.rate < 0 || math.IsNaN(float64(c.rate)):
		return bad("rate %v is negative", c.rate)
	case c.burst < 1 && c.rate != rate.Inf:
		return bad("rate burst %d must be at least 1", c.burst)
	case c.concurrency < 1:
		return bad("concurrency %d must be at least 1", c.concurrency)
	case c.timeout <= 0:
		return bad("observe timeout %v must be positive", c.timeout)
	}
	seen := map[string]bool{}
	for _, k := range c.strata {
		if k == "" || seen[k] {
			return bad("stratum key %q is empty or repeated", k)
		}
		seen[k] = true
	}
	return c.limits.validate()
}
