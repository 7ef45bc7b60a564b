package rollout

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Smoke is the start-up smoke check: every target of the wave must make
// Probe return nil within Within. Probes are retried every Every; a probe
// that hangs (even one ignoring ctx) is cut at the deadline. Build its gate
// with Gate:
//
//	rollout.Gates(rollout.Smoke{Within: 2 * time.Minute, Probe: healthz}.Gate())
type Smoke struct {
	Name   string        // the gate's name (default "smoke"); unique per wave
	Within time.Duration // how long a target has to become healthy
	Probe  func(ctx context.Context, target string) error
	Every  time.Duration // between probes of a target (default Within/20, between 5ms and 1s)
	// Diagnose captures diagnostics for a target that failed (logs, crash
	// output, status) within DiagnoseWithin; they are in TargetError.Diagnostics.
	Diagnose       func(ctx context.Context, target string) string
	DiagnoseWithin time.Duration
}

// Gate returns the smoke gate. On failure it returns the errors.Join of one
// *TargetError (Op "smoke") per unhealthy target, with the last probe error
// and the captured diagnostics. A wave with no targets fails. The gate's
// Deadline is 1.25 × (Within + DiagnoseWithin); NewPlan rejects a zero
// Within or a nil Probe.
func (s Smoke) Gate() Gate {
	if s.Name == "" {
		s.Name = "smoke"
	}
	if s.Every <= 0 {
		s.Every = min(max(s.Within/20, 5*time.Millisecond), time.Second)
	}
	if s.Diagnose == nil || s.DiagnoseWithin <= 0 {
		s.DiagnoseWithin = 0
	}
	g := Gate{Name: s.Name}
	if s.Within <= 0 {
		return g // NewPlan reports the zero deadline
	}
	g.Deadline = (s.Within + s.DiagnoseWithin) * 5 / 4 // room for the probes, the diagnostics and their grace
	if s.Probe == nil {
		return g // NewPlan reports the nil check
	}
	g.Check = func(ctx context.Context, in GateInput) error {
		if len(in.Targets) == 0 {
			return errors.New("rollout: smoke: no targets to check")
		}
		var mu sync.Mutex
		var errs []error
		eg := new(errgroup.Group)
		eg.SetLimit(16)
		for _, t := range in.Targets {
			eg.Go(func() error {
				if err := s.one(ctx, t); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
				return nil
			})
		}
		_ = eg.Wait()
		return errors.Join(errs...)
	}
	return g
}

// unhealthy is the error of a target that did not pass its smoke check.
type unhealthy struct {
	within   time.Duration
	attempts int
	hung     bool  // the last probe had not returned when the deadline came
	last     error // the last probe's error
}

func (e *unhealthy) Error() string {
	msg := fmt.Sprintf("not healthy within %v after %d probe(s)", e.within, e.attempts)
	if e.hung {
		msg += " (last probe hung)"
	}
	return msg + ": " + e.last.Error()
}

func (e *unhealthy) Unwrap() error { return e.last }

func (s Smoke) one(ctx context.Context, target string) error {
	pctx, cancel := context.WithTimeout(ctx, s.Within)
	defer cancel()
	u := &unhealthy{within: s.Within}
	for {
		u.attempts++
		b := callBounded(pctx, s.Within, func(c context.Context) error { return s.Probe(c, target) })
		err, cut := b.err, b.interrupted
		if err == nil && !cut {
			return nil
		}
		if cut { // the deadline came while this probe was still running
			u.hung = true
			if u.last == nil {
				u.last = fmt.Errorf("no probe answered within %v", s.Within)
			}
			break
		}
		u.last = err
		t := time.NewTimer(s.Every)
		select {
		case <-t.C:
			continue
		case <-pctx.Done():
			t.Stop()
		}
		break
	}
	te := &TargetError{Target: target, Op: "smoke", Err: u}
	if ctx.Err() != nil || s.Diagnose == nil {
		return te // the gate itself is out of time: no diagnostics
	}
	res := make(chan string, 1) // buffered: an abandoned Diagnose never blocks
	b := callBounded(ctx, s.DiagnoseWithin, func(c context.Context) error {
		res <- s.Diagnose(c, target)
		return nil
	})
	switch {
	case b.abandoned:
		te.Diagnostics = fmt.Sprintf("(diagnostics did not return within %v)", s.DiagnoseWithin)
	case !b.interrupted:
		te.Diagnostics = <-res
	}
	return te
}
