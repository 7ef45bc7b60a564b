package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

var errKilled = errors.New("process killed")

// fleet is a fake Deployer: every target has a version and a history stack.
// It can fail deploys, break rollbacks and "kill the process" after a number
// of operations (deployer calls and journal appends), after which nothing
// has any effect.
type fleet struct {
	mu        sync.Mutex
	cur       map[string]string
	hist      map[string][]string
	log       []string       // "op target"
	deploys   map[string]int // effective deploys per target
	violation []string

	deployErr      map[string]bool // Deploy fails without effect
	deployErrAfter map[string]bool // Deploy applies, then returns an error
	rollbackErr    map[string]bool // Rollback fails without effect
	rollbackNoop   map[string]bool // Rollback returns nil and does nothing
	onDeploy       func(target string)
	redirect       map[string]string // Deploy of key changes value instead (a wrong selector)

	ops, killAt  int // killAt > 0: the killAt-th op kills
	applyThenDie bool
	cancelAt     func() // set: the killAt-th op cancels the run's ctx instead
	dead         bool
	onKill       func()
}

func newFleet(version string, targets ...string) *fleet {
	f := &fleet{cur: map[string]string{}, hist: map[string][]string{}, deploys: map[string]int{},
		deployErr: map[string]bool{}, deployErrAfter: map[string]bool{}, rollbackErr: map[string]bool{}, rollbackNoop: map[string]bool{},
		redirect: map[string]string{}}
	for _, t := range targets {
		f.cur[t] = version
	}
	return f
}

// step counts an op; it reports whether the process is dead now.
func (f *fleet) step() (dead, dying bool) {
	if f.dead {
		return true, false
	}
	f.ops++
	if f.killAt > 0 && f.ops >= f.killAt && f.cancelAt != nil {
		f.cancelAt() // the operator interrupts; the fleet keeps working
		f.killAt, f.cancelAt = 0, nil
		return false, false
	}
	if f.killAt > 0 && f.ops >= f.killAt {
		f.dead = true
		if f.onKill != nil {
			f.onKill() // the process dies: its context ends with it
		}
		return true, true
	}
	return false, false
}

func (f *fleet) revive() {
	f.mu.Lock()
	f.dead, f.killAt, f.ops = false, 0, 0
	f.mu.Unlock()
}

func (f *fleet) Deploy(_ context.Context, target, version string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	dead, dying := f.step()
	if dead && !(dying && f.applyThenDie) {
		return errKilled
	}
	f.log = append(f.log, "deploy "+target)
	if _, ok := f.cur[target]; !ok {
		return fmt.Errorf("no such target %q", target)
	}
	if f.deployErr[target] {
		return errors.New("deploy crashed")
	}
	if f.cur[target] == version {
		f.violation = append(f.violation, "deploy of "+target+" already on "+version)
	}
	if to, ok := f.redirect[target]; ok {
		target = to // the deploy tool's mistake: another target gets the version
	}
	f.hist[target] = append(f.hist[target], f.cur[target])
	f.cur[target] = version
	f.deploys[target]++
	if f.onDeploy != nil {
		f.onDeploy(target)
	}
	if dead {
		return errKilled
	}
	if f.deployErrAfter[target] {
		return errors.New("deploy reported failure after applying")
	}
	return nil
}

func (f *fleet) Rollback(_ context.Context, target string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if dead, _ := f.step(); dead {
		return errKilled
	}
	f.log = append(f.log, "rollback "+target)
	if f.rollbackErr[target] {
		return errors.New("rollback script failed")
	}
	if f.rollbackNoop[target] {
		return nil
	}
	h := f.hist[target]
	if len(h) == 0 {
		return fmt.Errorf("no previous version of %q", target)
	}
	f.cur[target], f.hist[target] = h[len(h)-1], h[:len(h)-1]
	return nil
}

func (f *fleet) Version(_ context.Context, target string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if dead, _ := f.step(); dead {
		return "", errKilled
	}
	f.log = append(f.log, "version "+target)
	v, ok := f.cur[target]
	if !ok {
		return "", fmt.Errorf("no such target %q", target)
	}
	return v, nil
}

func (f *fleet) version(t string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cur[t]
}

// touched returns every target the fleet saw any call for.
func (f *fleet) touched() map[string]bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]bool{}
	for _, l := range f.log {
		var op, t string
		fmt.Sscan(l, &op, &t)
		out[t] = true
	}
	return out
}

// censusFleet is a fleet whose deploy tool can list every target it reaches.
type censusFleet struct {
	*fleet
	censusErr error                                  // the census fails
	tamper    func(add func(target, version string)) // lists more (duplicates)
	censuses  int
}

func (c *censusFleet) Census(_ context.Context, add func(target, version string)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if dead, _ := c.step(); dead {
		return errKilled
	}
	c.censuses++
	if c.censusErr != nil {
		return c.censusErr
	}
	for t, v := range c.cur {
		add(t, v)
	}
	if c.tamper != nil {
		c.tamper(add)
	}
	return nil
}

// memStore is an in-memory JournalStore a test can share between executors.
type memStore struct {
	mu   sync.Mutex
	recs [][]byte
}

func (m *memStore) Append(_ context.Context, r []byte) error {
	m.mu.Lock()
	m.recs = append(m.recs, append([]byte(nil), r...))
	m.mu.Unlock()
	return nil
}

func (m *memStore) Load(context.Context) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.recs...), nil
}

// killJournal is a journal that dies with its fleet.
type killJournal struct {
	mem memStore
	f   *fleet
}

func (j *killJournal) Append(ctx context.Context, r []byte) error {
	j.f.mu.Lock()
	dead, _ := j.f.step()
	j.f.mu.Unlock()
	if dead {
		return errKilled
	}
	return j.mem.Append(ctx, r)
}

func (j *killJournal) Load(ctx context.Context) ([][]byte, error) { return j.mem.Load(ctx) }

// check is a gate made of a plain check function.
func check(name string, deadline time.Duration, fn func(ctx context.Context) error) rollout.Gate {
	g := rollout.Gate{Name: name, Deadline: deadline}
	if fn != nil {
		g.Check = func(ctx context.Context, _ rollout.GateInput) error { return fn(ctx) }
	}
	return g
}

// unknown lists the report's targets in an unknown state.
func unknown(rep *rollout.Report) []string {
	var out []string
	for _, t := range rep.Targets {
		switch t.State {
		case rollout.StateUnknown, rollout.StateDeploying, rollout.StateRollingBack:
			out = append(out, t.Target)
		}
	}
	return out
}

// pass is a gate that always passes.
func pass(name string) rollout.Gate {
	return check(name, time.Second, func(context.Context) error { return nil })
}

// failsWave is a gate named "g" that fails after the deploy of wave w
// (counted from 1, the canary) with err, and passes everywhere else.
func failsWave(w int, err error) rollout.Gate {
	return rollout.Gate{Name: "g", Deadline: time.Second, Check: func(_ context.Context, in rollout.GateInput) error {
		if in.Phase == "deploy" && in.Wave == w {
			return err
		}
		return nil
	}}
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}
