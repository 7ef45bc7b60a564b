package promsource

import (
	"fmt"
	"time"
)

// An Option changes what New's Source queries. No options means
// Window(10*time.Minute), Step(10*time.Second) and MaxAge of max(2 steps, 30 s).
type Option interface{ apply(*options) }

type options struct {
	window, step, maxAge time.Duration
	maxAgeSet            bool
	err                  error // first invalid option, returned by New
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

const (
	defaultWindow = 10 * time.Minute
	defaultStep   = 10 * time.Second
	minMaxAge     = 30 * time.Second
)

func newOptions(opts []Option) options {
	o := options{window: defaultWindow, step: defaultStep}
	for _, opt := range opts {
		if opt == nil {
			o.fail(fmt.Errorf("%w: nil Option", ErrConfig))
			continue
		}
		opt.apply(&o)
	}
	if o.err != nil {
		return o
	}
	if o.step > o.window {
		o.fail(fmt.Errorf("%w: Step(%v) is longer than Window(%v)", ErrConfig, o.step, o.window))
	}
	if n := o.window / o.step; n > maxSteps {
		o.fail(fmt.Errorf("%w: Window(%v) / Step(%v) is %d steps; Prometheus answers at most %d", ErrConfig, o.window, o.step, n, maxSteps))
	}
	if !o.maxAgeSet {
		// One missed scrape (a 15 s interval) must not read as stale.
		o.maxAge = max(2*o.step, minMaxAge)
	}
	return o
}

func (o *options) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// Window sets how far back from now both series are read (default 10
// minutes). Start it after the canary was deployed: points from before
// judge the old version. At least 1 ms.
func Window(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d < time.Millisecond {
			o.fail(fmt.Errorf("%w: Window(%v) is shorter than 1ms", ErrConfig, d))
			return
		}
		o.window = d
	})
}

// Step sets the interval between two points of a series (default 10 s),
// at least 1 ms (Prometheus's resolution). A step shorter than the scrape
// interval repeats samples: more points, not more evidence.
func Step(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d < time.Millisecond {
			o.fail(fmt.Errorf("%w: Step(%v) is shorter than 1ms", ErrConfig, d))
			return
		}
		o.step = d
	})
}

// MaxAge sets how old a series' last point may be, before the end of the
// window, and still count as current (default max(2 steps, 30 s)). An older
// one is stale: its target stopped reporting. The window ends at this
// machine's now, so a Prometheus whose clock lags by more than MaxAge makes
// every series stale: a failure, never a pass. Must be > 0.
func MaxAge(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d <= 0 {
			o.fail(fmt.Errorf("%w: MaxAge(%v) must be > 0", ErrConfig, d))
			return
		}
		o.maxAge, o.maxAgeSet = d, true
	})
}
