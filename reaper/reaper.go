package reaper

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// Reaper finds orphaned resources and, once enough independent evidence has
// accumulated and the blast radius is small, quarantines and then deletes
// them. Build one with New; call Sweep periodically. A Reaper serialises
// its own sweeps; several replicas coordinate through Elect.
type Reaper struct {
	inv     Inventory
	obs     []Observer
	srcIdx  []int // observer → distinct-source index
	dep     Deprovisioner
	ledger  Ledger
	cfg     config
	limiter *rate.Limiter
	metrics *instruments
	mu      sync.Mutex
	ref     clockRef // where this process last read its clock (jump.go)
}

const maxObservers = 64

// New builds a Reaper. inv lists the fleet, observers vote on each
// resource, dep acts, ledger remembers. Options override the defaults
// (shadow mode, quorum 2 of 2 sources, grace 3 sweeps over 24h, quarantine
// window 72h, DefaultLimits). New rejects, with an error wrapping ErrConfig,
// anything that cannot work: no observers, a quorum larger than the
// observers or their distinct sources, bad limits.
func New(inv Inventory, observers []Observer, dep Deprovisioner, ledger Ledger, opts ...Option) (*Reaper, error) {
	cfg := config{
		votes: defaultVotes, sources: defaultSources,
		graceSweeps: defaultGraceSweeps, gracePeriod: defaultGracePeriod,
		quarantineWindow: defaultQuarantineWindow,
		limits:           DefaultLimits(), log: slog.New(slog.DiscardHandler), now: time.Now,
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
	if inv == nil {
		return nil, fmt.Errorf("reaper: nil Inventory: %w", ErrConfig)
	}
	if dep == nil || isNilDeleteOnly(dep) {
		return nil, fmt.Errorf("reaper: nil Deprovisioner: %w", ErrConfig)
	}
	if ledger == nil {
		return nil, fmt.Errorf("reaper: nil Ledger: %w", ErrConfig)
	}
	if len(observers) == 0 {
		return nil, fmt.Errorf("reaper: no observers: a reaper needs independent witnesses: %w", ErrConfig)
	}
	if len(observers) > maxObservers {
		return nil, fmt.Errorf("reaper: %d observers, at most %d: %w", len(observers), maxObservers, ErrConfig)
	}
	r := &Reaper{inv: inv, obs: append([]Observer(nil), observers...), dep: dep, ledger: ledger}
	names := map[string]bool{}
	sources := map[string]int{}
	for i, o := range r.obs {
		if f, ok := o.(funcObserver); o == nil || ok && f.fn == nil {
			return nil, fmt.Errorf("reaper: observer %d is nil: %w", i, ErrConfig)
		}
		n, s := o.Name(), o.Source()
		if n == "" || s == "" {
			return nil, fmt.Errorf("reaper: observer %d has empty Name or Source: %w", i, ErrConfig)
		}
		if names[n] {
			return nil, fmt.Errorf("reaper: two observers named %q: %w", clip.String(n), ErrConfig)
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
	r.limiter = rate.NewLimiter(cfg.limits.Rate, cfg.limits.Burst)
	r.metrics = newInstruments(cfg.meters, cfg.log)
	return r, nil
}

func (c *config) validate(observers, sources int) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("reaper: "+format+": %w", append(a, ErrConfig)...)
	}
	if c.votes < 1 {
		return bad("Quorum(%d, %d): votes must be at least 1", c.votes, c.sources)
	}
	if c.votes > observers {
		return bad("Quorum(%d, %d): only %d observers", c.votes, c.sources, observers)
	}
	if c.sources < 1 {
		return bad("Quorum(%d, %d): sources must be at least 1", c.votes, c.sources)
	}
	if c.sources > c.votes {
		return bad("Quorum(%d, %d): more distinct sources than votes", c.votes, c.sources)
	}
	if c.sources > sources {
		return bad("Quorum(%d, %d): observers read only %d distinct sources", c.votes, c.sources, sources)
	}
	if c.graceSweeps < 1 {
		return bad("Grace(%d, %v): sweeps must be at least 1", c.graceSweeps, c.gracePeriod)
	}
	if c.gracePeriod < 0 {
		return bad("Grace(%d, %v): period is negative", c.graceSweeps, c.gracePeriod)
	}
	if c.quarantineWindow < 0 {
		return bad("QuarantineWindow(%v): negative", c.quarantineWindow)
	}
	seen := map[string]bool{}
	for _, k := range c.strata {
		if k == "" || seen[k] {
			return bad("Strata: key %q is empty or repeated", clip.String(k))
		}
		seen[k] = true
	}
	return c.limits.validate()
}
