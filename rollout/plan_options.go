package rollout

import (
	"errors"
	"fmt"
	"time"
)

// PlanOption configures NewPlan. Everything a PlanOption sets is shown in
// the preview and is part of the fingerprint.
type PlanOption interface{ applyPlan(*planConfig) }

type planConfig struct {
	canary       int
	canarySet    bool
	fractions    []float64
	explicit     [][]string
	gates        []Gate
	waveGates    map[int][]Gate
	bake         Bake
	waveBake     map[int]Bake
	rehearse     bool
	settle       time.Duration
	callDeadline time.Duration
	putBack      bool
	err          error
}

func (c *planConfig) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

type planOptionFunc func(*planConfig)

func (f planOptionFunc) applyPlan(c *planConfig) { f(c) }

// Canary sets the size of the first wave (default 1). AWS practice keeps the
// first box at no more than 10% of a unit.
func Canary(n int) PlanOption {
	return planOptionFunc(func(c *planConfig) {
		if n < 1 {
			c.fail(fmt.Errorf("canary size must be >= 1, got %d", n))
		}
		if c.explicit != nil {
			c.fail(errors.New("Canary cannot be combined with explicit Waves"))
		}
		c.canary, c.canarySet = n, true
	})
}

// Fractions sets the waves after the canary as cumulative fractions of all
// targets, strictly increasing and ending at 1 (default 0.01, 0.10, 0.50, 1).
// A wave that would add no target is dropped.
func Fractions(f ...float64) PlanOption {
	return planOptionFunc(func(c *planConfig) {
		if c.explicit != nil {
			c.fail(errors.New("Fractions cannot be combined with explicit Waves"))
			return
		}
		if len(f) == 0 {
			c.fail(errors.New("Fractions: no fractions"))
			return
		}
		prev := 0.0
		for i, x := range f {
			if !(x > prev && x <= 1) { // also rejects NaN
				c.fail(fmt.Errorf("Fractions: fraction %d is %v; fractions must increase strictly within (0, 1]", i, x))
				return
			}
			prev = x
		}
		if prev != 1 {
			c.fail(fmt.Errorf("wave sizes do not cover the targets: the last fraction is %v, not 1", prev))
			return
		}
		c.fractions = append([]float64(nil), f...)
	})
}

// Waves sets the waves explicitly; the first is the canary wave. Together
// they must name every target exactly once.
func Waves(waves ...[]string) PlanOption {
	return planOptionFunc(func(c *planConfig) {
		if c.fractions != nil || c.canarySet {
			c.fail(errors.New("explicit Waves cannot be combined with Canary or Fractions"))
		}
		if len(waves) == 0 {
			c.fail(errors.New("Waves: no waves"))
			return
		}
		c.explicit = make([][]string, len(waves))
		for i, w := range waves {
			c.explicit[i] = append([]string(nil), w...)
		}
	})
}

// Gates adds gates to every wave.
func Gates(g ...Gate) PlanOption {
	return planOptionFunc(func(c *planConfig) { c.gates = append(c.gates, g...) })
}

// BakeEach sets the bake of every wave.
func BakeEach(b Bake) PlanOption {
	return planOptionFunc(func(c *planConfig) { c.bake = b })
}

// Wave sets the bake of the wave with index i into Plan.Waves (0 is the
// canary wave, the preview's "wave 1"; events and gate inputs carry the
// wave's number, i+1), overriding BakeEach, and adds gates to it. A zero
// Bake keeps BakeEach's.
func Wave(i int, b Bake, gates ...Gate) PlanOption {
	return planOptionFunc(func(c *planConfig) {
		c.waveGates[i] = append(c.waveGates[i], gates...)
		if b != (Bake{}) {
			c.waveBake[i] = b
		}
	})
}

// NoRehearsal turns off the rollback rehearsal on the canary wave. The
// preview and the fingerprint show it.
func NoRehearsal() PlanOption {
	return planOptionFunc(func(c *planConfig) { c.rehearse = false })
}

// Settle sets how long the executor asks Version, with backoff, for a
// deployed target to report the plan's version (default 1 minute). A
// target that does not fails its deploy (ErrConfirm) and the rollout rolls
// back. Settle(0) turns the confirmation off: the executor then believes
// every Deploy that returns nil, and the preview says so.
func Settle(d time.Duration) PlanOption {
	return planOptionFunc(func(c *planConfig) {
		if d < 0 {
			c.fail(fmt.Errorf("Settle(%v): must not be negative", d))
		}
		c.settle = d
	})
}

// CallDeadline bounds every deployer call: Deploy, Rollback, Version and
// the census (default 5 minutes). A call that does not return in time fails.
// It is also how long a Resume or Abort may wait for the calls of a
// process that died or lost its lease (see "A lost lease, exactly").
func CallDeadline(d time.Duration) PlanOption {
	return planOptionFunc(func(c *planConfig) {
		if d <= 0 {
			c.fail(fmt.Errorf("CallDeadline(%v): must be > 0", d))
		}
		c.callDeadline = d
	})
}

// PutBack lets a failed rollout return every target a census found changed
// to the version recorded before the rollout touched it (off-plan targets,
// targets of waves not reached, deployed targets something else moved),
// through a guard that permits exactly that version for exactly those
// targets. A target it cannot put back leaves the rollout OutcomeUnknown.
// Without it the report lists them and nothing is done to them.
func PutBack() PlanOption {
	return planOptionFunc(func(c *planConfig) { c.putBack = true })
}
