package reaper

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"pgregory.net/rapid"
)

// fault is what an observer does on one call.
type fault uint8

const (
	fTruth fault = iota
	fError
	fWrongOrphan
	fWrongAlive
	fPanic
	fUnknown
	nFaults
)

// world is one random fleet with faulty observers and a crashing ledger
// and deprovisioner, driven by rapid.
type world struct {
	mu      sync.Mutex
	inv     *fleet
	truth   map[string]bool // orphan?
	obsSrc  []string
	k, m    int
	faults  map[[3]int]fault // (phase, obs, res) → fault for this sweep
	calls   map[[2]int]int   // (obs, res) → calls this sweep
	votes   map[[3]int]Vote  // (phase, obs, res) → vote as the reaper must count it
	index   map[string]int
	dep     *fakeDep
	disk    *memoryLedger
	led     *crashLedger
	problem []string
}

// crashLedger fails its n-th Store, before or after the write hits disk.
type crashLedger struct {
	disk       *memoryLedger
	stores     int
	failAt     int // 0: never
	afterWrite bool
}

var errCrash = errors.New("injected crash")

func (c *crashLedger) Load(ctx context.Context) ([]byte, error) { return c.disk.Load(ctx) }
func (c *crashLedger) Store(ctx context.Context, b []byte) error {
	c.stores++
	if c.stores == c.failAt {
		if c.afterWrite {
			_ = c.disk.Store(ctx, b)
		}
		return errCrash
	}
	return c.disk.Store(ctx, b)
}

func (w *world) observer(j int) Observer {
	return obs{name: fmt.Sprintf("o%d", j), source: w.obsSrc[j], fn: func(_ context.Context, r Resource) (Vote, error) {
		w.mu.Lock()
		i := w.index[r.ID]
		phase := 0
		if w.calls[[2]int{j, i}] > 0 {
			phase = 1 // the live re-check
		}
		w.calls[[2]int{j, i}]++
		f := w.faults[[3]int{phase, j, i}]
		orphan := w.truth[r.ID]
		var v Vote
		var err error
		switch f {
		case fTruth:
			v = Vote{Alive, "owned"}
			if orphan {
				v = Vote{Orphan, "no owner"}
			}
		case fWrongOrphan:
			v = Vote{Orphan, "misread"}
		case fWrongAlive:
			v = Vote{Alive, "misread"}
		case fError, fPanic:
			err = errors.New("down")
		}
		counted := v
		if err != nil {
			counted = Vote{}
		}
		w.votes[[3]int{phase, j, i}] = counted
		w.mu.Unlock()
		if f == fPanic {
			panic("observer bug")
		}
		return v, err
	}}
}

// quorate reports whether the recorded votes of phase on resource i allow
// action: no Alive, at least k Orphan from at least m sources.
func (w *world) quorate(phase, i int) bool {
	n, srcs := 0, map[string]bool{}
	for j := range w.obsSrc {
		switch w.votes[[3]int{phase, j, i}].Verdict {
		case Alive:
			return false
		case Orphan:
			n++
			srcs[w.obsSrc[j]] = true
		}
	}
	return n >= w.k && len(srcs) >= w.m
}

func TestPropertyNeverActsWithoutQuorumAndSurvivesCrashes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) { propertyNeverActsWithoutQuorum(t) })
}

// noDeadline hides T.Deadline, which must not be called in a synctest
// bubble, from rapid: the bubble's time is not the test's deadline anyway.
type noDeadline struct{ testing.TB }

func propertyNeverActsWithoutQuorum(t *testing.T) {
	rapid.Check(noDeadline{t}, func(rt *rapid.T) {
		w := &world{truth: map[string]bool{}, index: map[string]int{}, dep: newDep(), disk: newMemLedger()}
		w.inv = &fleet{}
		n := rapid.IntRange(1, 20).Draw(rt, "resources")
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("r%02d", i)
			w.inv.res = append(w.inv.res, res(id, "region", rapid.SampledFrom([]string{"a", "b"}).Draw(rt, "region"),
				"gen", rapid.SampledFrom([]string{"old", "new"}).Draw(rt, "gen")))
			w.index[id] = i
			w.truth[id] = i > 0 && rapid.Bool().Draw(rt, "orphan") // r00 always alive: never empty
		}
		nObs := rapid.IntRange(1, 4).Draw(rt, "observers")
		srcs := map[string]bool{}
		for j := 0; j < nObs; j++ {
			s := fmt.Sprintf("s%d", rapid.IntRange(0, nObs-1).Draw(rt, "source"))
			w.obsSrc = append(w.obsSrc, s)
			srcs[s] = true
		}
		w.k = rapid.IntRange(1, nObs).Draw(rt, "k")
		w.m = rapid.IntRange(1, min(w.k, len(srcs))).Draw(rt, "m")
		graceN := rapid.IntRange(1, 3).Draw(rt, "graceSweeps")
		graceT := time.Duration(rapid.IntRange(0, 2).Draw(rt, "graceHours")) * time.Hour
		window := time.Duration(rapid.IntRange(0, 2).Draw(rt, "windowHours")) * time.Hour
		lim := testLimits()
		lim.MaxActions, lim.MaxFraction, lim.MaxStratumFraction, lim.MaxShrink = rapid.IntRange(0, 20).Draw(rt, "maxActions"), 1, 1, 1
		lim.MaxAttempts, lim.Backoff = 1000, 0 // injected crashes are not a failing resource
		var observers []Observer
		for j := 0; j < nObs; j++ {
			observers = append(observers, w.observer(j))
		}
		w.dep.onCall = func(act Action, r Resource) {
			if act == Restore {
				return
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			i := w.index[r.ID]
			if !w.quorate(0, i) || !w.quorate(1, i) {
				w.problem = append(w.problem, fmt.Sprintf("%s %s without quorum: sweep %v recheck %v", act, r.ID, w.votesOf(0, i), w.votesOf(1, i)))
			}
		}
		depFail := 0 // fail the n-th deprovisioner call
		depCalls := 0
		depAfter := false
		w.dep.fail = func(Action, string) error {
			depCalls++
			if depCalls == depFail {
				if depAfter {
					return nil // applied; the crash hides the success below
				}
				return errCrash
			}
			return nil
		}
		newReaper := func() *Reaper {
			w.led = &crashLedger{disk: w.disk}
			return mustNew(rt, w.inv, observers, crashAfter{w.dep, &depCalls, &depFail, &depAfter}, w.led,
				auditTo(&memSink{}), Act(Delete, rapid.IntRange(0, 2).Draw(rt, "shadowSweeps")), Quorum(w.k, w.m),
				Grace(graceN, graceT), QuarantineWindow(window), Limit(lim), Strata("region", "gen"))
		}
		r := newReaper()
		sweep := func(faulty bool) error {
			w.mu.Lock()
			w.faults, w.calls, w.votes = map[[3]int]fault{}, map[[2]int]int{}, map[[3]int]Vote{}
			if faulty {
				for ph := 0; ph < 2; ph++ {
					for j := 0; j < nObs; j++ {
						for i := 0; i < n; i++ {
							if rapid.IntRange(0, 3).Draw(rt, "faulty?") == 0 {
								w.faults[[3]int{ph, j, i}] = fault(rapid.IntRange(0, int(nFaults)-1).Draw(rt, "fault"))
							}
						}
					}
				}
			}
			w.mu.Unlock()
			_, err := r.Sweep(context.Background())
			return err
		}
		steps := rapid.IntRange(1, 12).Draw(rt, "steps")
		for s := 0; s < steps; s++ {
			switch rapid.IntRange(0, 4).Draw(rt, "step") {
			case 0: // crash the ledger at some store
				w.led.failAt = w.led.stores + rapid.IntRange(1, 4).Draw(rt, "storeCrash")
				w.led.afterWrite = rapid.Bool().Draw(rt, "afterWrite")
			case 1: // crash the deprovisioner at some call
				depFail = depCalls + rapid.IntRange(1, 3).Draw(rt, "depCrash")
				depAfter = rapid.Bool().Draw(rt, "depAfter")
			case 2:
				time.Sleep(time.Duration(rapid.IntRange(1, 90).Draw(rt, "minutes")) * time.Minute)
			}
			err := sweep(true)
			if errors.Is(err, errCrash) || errors.Is(err, ErrLedger) {
				r = newReaper() // kill and restart from the ledger
			}
			w.ackHalt(rt, r)
			time.Sleep(40 * time.Minute)
		}
		// Faults stop: everything must converge from whatever the ledger holds.
		w.led.failAt, depFail = 0, 0
		r = newReaper()
		// Each breaker halt costs a sweep (halt, acknowledge, retry), so allow
		// plenty; stop as soon as the world is clean.
		for s := 0; s < 60 && !w.converged(); s++ {
			if err := sweep(false); err != nil && !errors.Is(err, ErrBlastRadius) && !errors.Is(err, ErrHalted) && !errors.Is(err, ErrNotPromoted) {
				rt.Fatalf("clean sweep %d: %v", s, err)
			}
			w.ackHalt(rt, r)
			time.Sleep(time.Hour)
		}
		w.dep.mu.Lock()
		defer w.dep.mu.Unlock()
		if len(w.problem) > 0 {
			rt.Fatalf("acted without quorum: %v", w.problem)
		}
		if len(w.dep.violations) > 0 {
			rt.Fatalf("double or out-of-order action: %v", w.dep.violations)
		}
		for id, orphan := range w.truth {
			_, q := w.dep.quarantined[id]
			_, d := w.dep.deleted[id]
			if orphan && !d {
				blob, _ := w.disk.Load(context.Background())
				st, _ := decodeState(blob)
				rt.Fatalf("orphan %s not deleted after faults stopped (lost state?) quarantined=%v entry=%+v calls=%v now=%v", id, q, st.Entries[id], w.dep.calls, time.Now())
			}
			if !orphan && (q || d) && w.k > 0 {
				// A live resource may be quarantined only by wrong votes; once
				// observers are truthful it must be restored (never deleted
				// while truthful).
				if q && !d {
					rt.Fatalf("live %s left in quarantine", id)
				}
			}
		}
	})
}

func (w *world) votesOf(phase, i int) []string {
	var out []string
	for j := range w.obsSrc {
		out = append(out, w.votes[[3]int{phase, j, i}].Verdict.String())
	}
	return out
}

func (w *world) ackHalt(rt *rapid.T, r *Reaper) {
	st, err := r.Status(context.Background())
	if err != nil {
		return // a corrupt or failing ledger shows on the next sweep
	}
	if st.Halt != nil {
		if err := r.Acknowledge(context.Background(), st.Halt.HaltID, "prop"); err != nil && !errors.Is(err, errCrash) {
			rt.Fatalf("ack: %v", err)
		}
	}
}

// crashAfter turns a deprovisioner success into a crash (the effect
// happened, the reaper never heard) when the fail hook says so.
type crashAfter struct {
	d             *fakeDep
	calls, failAt *int
	after         *bool
}

func (c crashAfter) wrap(err error) error {
	if err == nil && *c.after && *c.calls == *c.failAt {
		return errCrash
	}
	return err
}
func (c crashAfter) Quarantine(ctx context.Context, r Resource, p Precondition) error {
	return c.wrap(c.d.Quarantine(ctx, r, p))
}
func (c crashAfter) Restore(ctx context.Context, r Resource, p Precondition) error {
	return c.wrap(c.d.Restore(ctx, r, p))
}
func (c crashAfter) Delete(ctx context.Context, r Resource, p Precondition) error {
	return c.wrap(c.d.Delete(ctx, r, p))
}

// converged reports whether every true orphan is deleted and nothing live
// is quarantined.
func (w *world) converged() bool {
	w.dep.mu.Lock()
	defer w.dep.mu.Unlock()
	for id, orphan := range w.truth {
		_, q := w.dep.quarantined[id]
		_, d := w.dep.deleted[id]
		if (orphan && !d) || (!orphan && q && !d) {
			return false
		}
	}
	return true
}
