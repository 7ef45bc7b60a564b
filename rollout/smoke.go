package rollout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-multierror"
	"golang.org/x/sync/errgroup"
)

// ErrUnhealthy: a target did not report healthy within the smoke deadline.
var ErrUnhealthy = errors.New("rollout: target not healthy")

// SmokeOption configures Smoke.
type SmokeOption interface{ applySmoke(*smokeConfig) }

type smokeConfig struct {
	name   string
	every  time.Duration
	diag   func(ctx context.Context, target string) string
	budget time.Duration
}

type smokeOptionFunc func(*smokeConfig)

func (f smokeOptionFunc) applySmoke(c *smokeConfig) { f(c) }

// SmokeName names the gate (default "smoke"); names must be unique per wave.
func SmokeName(name string) SmokeOption {
	return smokeOptionFunc(func(c *smokeConfig) { c.name = name })
}

// PollEvery sets the time between probes of a target (default within/20,
// between 5ms and 1s).
func PollEvery(d time.Duration) SmokeOption {
	return smokeOptionFunc(func(c *smokeConfig) {
		if d > 0 {
			c.every = d
		}
	})
}

// Diagnose captures diagnostics for a target that failed its smoke check
// (logs, crash output, status), within budget. The result is in SmokeError.
func Diagnose(fn func(ctx context.Context, target string) string, budget time.Duration) SmokeOption {
	return smokeOptionFunc(func(c *smokeConfig) { c.diag, c.budget = fn, budget })
}

// SmokeError reports one target that did not become healthy.
type SmokeError struct {
	Target      string
	Within      time.Duration
	Attempts    int
	Hung        bool   // the last probe had not returned when the deadline came
	Last        error  // the last probe's error
	Diagnostics string // what Diagnose captured, if set
}

// Error names the target, the probes, the last error and the diagnostics.
func (e *SmokeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "smoke: %q not healthy within %v after %d probe(s)", e.Target, e.Within, e.Attempts)
	if e.Hung {
		b.WriteString(" (last probe hung)")
	}
	if e.Last != nil {
		fmt.Fprintf(&b, ": %v", e.Last)
	}
	if e.Diagnostics != "" {
		fmt.Fprintf(&b, "; diagnostics: %s", e.Diagnostics)
	}
	return b.String()
}

// Unwrap returns ErrUnhealthy and the last probe error.
func (e *SmokeError) Unwrap() []error {
	if e.Last == nil {
		return []error{ErrUnhealthy}
	}
	return []error{ErrUnhealthy, e.Last}
}

// Smoke returns the start-up smoke gate: every target of the wave must make
// probe return nil within the given time. Probes are retried; a probe that
// hangs (even one ignoring ctx) is cut at the deadline. On failure the gate
// returns a *multierror.Error of *SmokeError, one per unhealthy target, with
// the last probe error and captured diagnostics. A wave with no targets fails.
// The gate's Deadline is 1.25 × (within + the Diagnose budget).
func Smoke(within time.Duration, probe func(ctx context.Context, target string) error, opts ...SmokeOption) Gate {
	c := smokeConfig{name: "smoke", every: clampDur(within/20, 5*time.Millisecond, time.Second)}
	for _, o := range opts {
		if o != nil {
			o.applySmoke(&c)
		}
	}
	g := Gate{Name: c.name}
	if within <= 0 {
		return g // NewPlan reports the zero deadline
	}
	if c.diag == nil || c.budget <= 0 {
		c.budget = 0
	}
	g.Deadline = (within + c.budget) * 5 / 4 // room for the probes, the diagnostics and their grace
	if probe == nil {
		return g // NewPlan reports the nil check
	}
	g.Check = func(ctx context.Context, in GateInput) error {
		if len(in.Targets) == 0 {
			return fmt.Errorf("%w: no targets to check", ErrUnhealthy)
		}
		var mu sync.Mutex
		var merr *multierror.Error
		eg := new(errgroup.Group)
		eg.SetLimit(16)
		for _, t := range in.Targets {
			eg.Go(func() error {
				if err := c.smokeOne(ctx, within, probe, t); err != nil {
					mu.Lock()
					merr = multierror.Append(merr, err)
					mu.Unlock()
				}
				return nil
			})
		}
		_ = eg.Wait()
		return merr.ErrorOrNil()
	}
	return g
}

func (c *smokeConfig) smokeOne(ctx context.Context, within time.Duration, probe func(context.Context, string) error, target string) error {
	pctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	e := &SmokeError{Target: target, Within: within}
	for {
		e.Attempts++
		err, _, _, cut := callBounded(pctx, within, func(c context.Context) error { return probe(c, target) })
		if err == nil && !cut {
			return nil
		}
		if cut { // the deadline came while this probe was still running
			e.Hung = true
			if e.Last == nil {
				e.Last = fmt.Errorf("no probe answered within %v", within)
			}
			break
		}
		e.Last = err
		t := time.NewTimer(c.every)
		select {
		case <-t.C:
			continue
		case <-pctx.Done():
			t.Stop()
		}
		break
	}
	if ctx.Err() != nil {
		return e // the gate itself is out of time: no diagnostics
	}
	if c.diag != nil {
		out, _, abandoned, _ := callBoundedString(ctx, c.budget, func(dc context.Context) string { return c.diag(dc, target) })
		if abandoned {
			out = fmt.Sprintf("(diagnostics did not return within %v)", c.budget)
		}
		e.Diagnostics = out
	}
	return e
}

// callBoundedString is callBounded for a function returning a string.
func callBoundedString(ctx context.Context, d time.Duration, fn func(context.Context) string) (string, bool, bool, bool) {
	res := make(chan string, 1) // buffered: an abandoned fn never blocks
	_, timedOut, abandoned, interrupted := callBounded(ctx, d, func(c context.Context) error {
		res <- fn(c)
		return nil
	})
	if abandoned || interrupted {
		return "", timedOut, abandoned, interrupted
	}
	return <-res, timedOut, abandoned, interrupted
}

func clampDur(d, lo, hi time.Duration) time.Duration {
	if d < lo {
		return lo
	}
	if d > hi {
		return hi
	}
	return d
}
