package rollout

import (
	"fmt"
	"math"
	"time"
)

// Bake is how long a wave must stay healthy before the next wave starts. A
// wave bakes until BOTH at least Min has passed since its first passing gate
// run AND its gates have passed at least Passes times, running the gates again
// every Every. Time alone proves nothing when no data came in; a count alone
// can be met in a second.
type Bake struct {
	Min    time.Duration // minimum bake time; 0 for none
	Passes int           // minimum passing gate runs, counting the first; 0 means 1
	Every  time.Duration // interval between gate runs while baking
}

func (b Bake) passes() int {
	if b.Passes < 1 {
		return 1
	}
	return b.Passes
}

func (b Bake) validate() error {
	switch {
	case b.Min < 0:
		return fmt.Errorf("bake: negative minimum time %v", b.Min)
	case b.Passes < 0:
		return fmt.Errorf("bake: negative pass count %d", b.Passes)
	case (b.Min > 0 || b.Passes > 1) && b.Every <= 0:
		return fmt.Errorf("bake: Every must be > 0 to bake for %v / %d passes, got %v", b.Min, b.Passes, b.Every)
	}
	return nil
}

// wave is one step of a plan: its targets are deployed together, then its
// gates must pass and it must bake before the next wave starts.
type wave struct {
	targets []string
	gates   []Gate
	bake    Bake
}

// Defaults of the settle time and of the deadline of each deployer call.
const (
	defaultSettle       = time.Minute
	defaultCallDeadline = 5 * time.Minute
)

// Plan is an approved-before-use description of a rollout: the version, the
// explicit list of targets (the allowlist), and the waves. Build it with
// NewPlan; it is immutable and safe for concurrent use.
type Plan struct {
	version      string
	targets      []string
	waves        []wave
	waveOf       map[string]int
	allowed      map[string]struct{}
	rehearse     bool
	settle       time.Duration // 0: deploys are not confirmed
	callDeadline time.Duration
	putBack      bool
	fingerprint  string
	saved        bool // read by ReadPlan: its gates have no code, it cannot run
}

// defaultFractions are the cumulative fractions of the targets reached after
// each wave that follows the canary: about 1%, 10%, 50%, then all. Waves that
// would be empty (small fleets) are dropped.
var defaultFractions = []float64{0.01, 0.10, 0.50, 1}

// NewPlan validates its input and builds a plan deploying version to exactly
// targets. By default the first wave is a single canary target, later waves
// reach about 1%, 10%, 50% and 100% of the targets, and the canary wave
// rehearses its rollback. After each Deploy the executor confirms with
// Version, within Settle (default 1 minute), that the target runs version;
// each deployer call is bounded by CallDeadline (default 5 minutes). Every
// wave needs at least one gate (Gates).
//
// Errors wrap ErrInvalidPlan and name what was wrong.
func NewPlan(version string, targets []string, opts ...PlanOption) (*Plan, error) {
	cfg := planConfig{canary: 1, rehearse: true, settle: defaultSettle, callDeadline: defaultCallDeadline,
		waveGates: map[int][]Gate{}, waveBake: map[int]Bake{}}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil PlanOption", ErrInvalidPlan)
		}
		o.applyPlan(&cfg)
	}
	if cfg.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPlan, cfg.err)
	}
	if version == "" {
		return nil, fmt.Errorf("%w: empty version", ErrInvalidPlan)
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("%w: no targets: a plan needs an explicit list of targets", ErrInvalidPlan)
	}
	p := &Plan{version: version, rehearse: cfg.rehearse, settle: cfg.settle, callDeadline: cfg.callDeadline, putBack: cfg.putBack,
		targets: append([]string(nil), targets...),
		waveOf:  make(map[string]int, len(targets)), allowed: make(map[string]struct{}, len(targets))}
	pos := make(map[string]int, len(targets))
	for i, t := range targets {
		if t == "" {
			return nil, fmt.Errorf("%w: empty target name at position %d", ErrInvalidPlan, i)
		}
		if j, dup := pos[t]; dup {
			return nil, fmt.Errorf("%w: duplicate target %q at positions %d and %d", ErrInvalidPlan, t, j, i)
		}
		pos[t] = i
		p.allowed[t] = struct{}{}
	}
	groups, err := cfg.groups(p.targets, pos)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPlan, err)
	}
	for i := range cfg.waveGates {
		if i < 0 || i >= len(groups) {
			return nil, fmt.Errorf("%w: Wave(%d, ...), but the plan has %d waves", ErrInvalidPlan, i, len(groups))
		}
	}
	for i, g := range groups {
		w := wave{targets: g, bake: cfg.bake}
		if b, ok := cfg.waveBake[i]; ok {
			w.bake = b
		}
		w.gates = append(append([]Gate(nil), cfg.gates...), cfg.waveGates[i]...)
		if err := validateWave(i, w); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidPlan, err)
		}
		for _, t := range g {
			p.waveOf[t] = i
		}
		p.waves = append(p.waves, w)
	}
	p.fingerprint = fingerprint(p)
	return p, nil
}

func validateWave(i int, w wave) error {
	if len(w.gates) == 0 {
		return fmt.Errorf("wave %d has no gates: every wave needs at least one check (use Gates or Wave)", i+1)
	}
	names := map[string]bool{}
	for _, g := range w.gates {
		if err := g.validate(); err != nil {
			return fmt.Errorf("wave %d: %v", i+1, err)
		}
		if names[g.Name] {
			return fmt.Errorf("wave %d: duplicate gate name %q", i+1, g.Name)
		}
		names[g.Name] = true
	}
	if err := w.bake.validate(); err != nil {
		return fmt.Errorf("wave %d: %v", i+1, err)
	}
	return nil
}

// groups splits targets into waves.
func (c *planConfig) groups(targets []string, pos map[string]int) ([][]string, error) {
	if c.explicit != nil {
		return explicitGroups(c.explicit, pos)
	}
	n := len(targets)
	if c.canary > n {
		return nil, fmt.Errorf("canary wave of %d targets, but the plan has only %d", c.canary, n)
	}
	fr := c.fractions
	if fr == nil {
		fr = defaultFractions
	}
	groups := [][]string{targets[:c.canary]}
	prev := c.canary
	for _, f := range fr {
		cum := int(math.Ceil(f*float64(n) - 1e-9))
		if cum > n {
			cum = n
		}
		if cum <= prev {
			continue // empty wave on a small fleet
		}
		groups = append(groups, targets[prev:cum])
		prev = cum
	}
	if prev != n {
		return nil, fmt.Errorf("wave sizes do not cover the targets: the waves reach %d of %d targets", prev, n)
	}
	return groups, nil
}

func explicitGroups(waves [][]string, pos map[string]int) ([][]string, error) {
	seen := map[string]int{}
	var groups [][]string
	for i, w := range waves {
		if len(w) == 0 {
			return nil, fmt.Errorf("explicit wave %d is empty", i+1)
		}
		for _, t := range w {
			if _, ok := pos[t]; !ok {
				return nil, fmt.Errorf("explicit wave %d names %q, which is not in the target list", i+1, t)
			}
			if j, dup := seen[t]; dup {
				return nil, fmt.Errorf("target %q is in explicit waves %d and %d", t, j+1, i+1)
			}
			seen[t] = i
		}
		groups = append(groups, append([]string(nil), w...))
	}
	if len(seen) != len(pos) {
		for t := range pos {
			if _, ok := seen[t]; !ok {
				return nil, fmt.Errorf("wave sizes do not cover the targets: %q (and %d more) is in no wave", t, len(pos)-len(seen)-1)
			}
		}
	}
	return groups, nil
}

// Waves returns a copy of the targets of each wave, the canary wave first.
func (p *Plan) Waves() [][]string {
	out := make([][]string, len(p.waves))
	for i, w := range p.waves {
		out[i] = append([]string(nil), w.targets...)
	}
	return out
}

// Fingerprint returns the SHA-256 (hex) of the plan's version, targets,
// waves, gates (names, deadlines), bakes, rehearsal, confirmation, call
// deadline and put-back settings. Execution requires this exact string.
func (p *Plan) Fingerprint() string { return p.fingerprint }
