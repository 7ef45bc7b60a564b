package rollout_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// lateDeployer's Deploy of one target ignores its context: it cancels the
// run, then lands after delay, whatever its caller does meanwhile.
type lateDeployer struct {
	*fleet
	target string
	delay  time.Duration
	cancel context.CancelFunc
}

func (d *lateDeployer) Deploy(ctx context.Context, t, v string) error {
	if t == d.target && d.cancel != nil {
		d.cancel()
		d.cancel = nil
		time.Sleep(d.delay)
	}
	return d.fleet.Deploy(context.WithoutCancel(ctx), t, v)
}

// A Deploy the first executor left running (it ignores its context) lands
// 30 s later; a Resume started at once waits out the call's deadline, then
// reads the target and finds it deployed: it never deploys it again.
func TestResumeWaitsOutACallLeftRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		targets := names("t", 4)
		f := newFleet("v1", targets...)
		ctx, cancel := context.WithCancel(context.Background())
		d := &lateDeployer{fleet: f, target: "t02", delay: 30 * time.Second, cancel: cancel}
		p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.NoRehearsal(),
			rollout.Waves(targets[:1], targets[1:]), rollout.CallDeadline(time.Minute))
		j := &memStore{}
		ex, _ := rollout.New(d, rollout.Journal(j), rollout.Concurrency(1))
		if rep, err := ex.Run(ctx, p, p.Fingerprint()); rep == nil || rep.Outcome != rollout.OutcomeInterrupted {
			t.Fatalf("Run: %v", err)
		}
		start := time.Now()
		var waited time.Duration
		ex2, _ := rollout.New(f, rollout.Journal(j), rollout.OnEvent(func(e rollout.Event) {
			if e.Kind == "wait" {
				waited = e.Elapsed
			}
		}))
		rep, err := ex2.Resume(context.Background(), p, p.Fingerprint())
		if err != nil || rep.Outcome != rollout.OutcomeSucceeded {
			t.Fatalf("Resume: %v", err)
		}
		elapsed := time.Since(start)
		time.Sleep(time.Until(start.Add(31 * time.Second))) // the late Deploy has landed
		if f.deploys["t02"] != 1 || len(f.violation) > 0 {
			t.Fatalf("t02 deployed %d times: %v", f.deploys["t02"], f.violation)
		}
		if el := elapsed; waited <= 0 || el < waited || el > time.Minute+time.Second {
			t.Errorf("Resume waited %v, announced %v: want the rest of the call's 1m deadline", el, waited)
		}
	})
}

// leaseStore is a journal in memory with a Lease whose proofs fail from
// the failAt-th Check on.
type leaseStore struct {
	memStore
	mu     sync.Mutex
	checks int
	failAt int
	token  int64
}

var errConnGone = errors.New("connection gone")

func (l *leaseStore) Check(context.Context) (time.Time, int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checks++
	if l.failAt > 0 && l.checks >= l.failAt {
		return time.Time{}, 0, errConnGone
	}
	return time.Now(), l.token, nil
}

func (l *leaseStore) fail() {
	l.mu.Lock()
	l.failAt = 1
	l.mu.Unlock()
}

// honouring is a fleet whose Deploy takes 10 s unless its context ends,
// and which records the fencing token of every call.
type honouring struct {
	*fleet
	mu      sync.Mutex
	tokens  []int64
	started []string
	onStart func(target string)
	causes  []error
}

func (h *honouring) Deploy(ctx context.Context, t, v string) error {
	tok, ok := rollout.FencingToken(ctx)
	h.mu.Lock()
	if ok {
		h.tokens = append(h.tokens, tok)
	}
	h.started = append(h.started, t)
	h.mu.Unlock()
	if h.onStart != nil {
		h.onStart(t)
	}
	select {
	case <-ctx.Done():
		h.mu.Lock()
		h.causes = append(h.causes, context.Cause(ctx))
		h.mu.Unlock()
		return ctx.Err()
	case <-time.After(10 * time.Second):
	}
	return h.fleet.Deploy(ctx, t, v)
}

// The lease is lost while Deploys are in flight: their contexts end with
// ErrLeaseLost, no other call starts, nothing is rolled back, and the
// error says so. Every call carried the lease's fencing token.
func TestLostLeaseStopsTheHolder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		targets := names("t", 8)
		f := newFleet("v1", targets...)
		j := &leaseStore{token: 7}
		h := &honouring{fleet: f}
		h.onStart = func(string) {
			h.mu.Lock()
			n := len(h.started)
			h.mu.Unlock()
			if n == 4 { // t00, then t01..t03 in flight
				j.fail() // the next heartbeat finds the lease gone
			}
		}
		p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.NoRehearsal(),
			rollout.Waves(targets[:1], targets[1:]), rollout.CallDeadline(time.Minute))
		var lost []rollout.Event
		ex, _ := rollout.New(h, rollout.Journal(j), rollout.Concurrency(3), rollout.OnEvent(func(e rollout.Event) {
			if e.Kind == "lease lost" {
				lost = append(lost, e)
			}
		}))
		start := time.Now()
		rep, err := ex.Run(context.Background(), p, p.Fingerprint())
		if !errors.Is(err, rollout.ErrLeaseLost) || !errors.Is(err, errConnGone) || rep == nil || rep.Outcome != rollout.OutcomeInterrupted {
			t.Fatalf("Run after the lease was lost: %v", err)
		}
		if el := time.Since(start); el > 20*time.Second {
			t.Errorf("the holder ran %v after losing its lease, want at most a heartbeat (15 s) and the 10 s deploy", el)
		}
		if len(lost) != 1 || !errors.Is(lost[0].Err, rollout.ErrLeaseLost) {
			t.Errorf("lease lost events: %+v", lost)
		}
		// t00 (wave 1), then t01..t03 at once: nothing after the loss.
		if len(h.started) != 4 {
			t.Errorf("Deploys started: %v, want t00..t03 only", h.started)
		}
		for _, c := range h.causes {
			if !errors.Is(c, rollout.ErrLeaseLost) {
				t.Errorf("an in-flight Deploy's context ended with %v, want ErrLeaseLost", c)
			}
		}
		if len(h.causes) != 3 {
			t.Errorf("%d in-flight Deploys saw their context end, want 3", len(h.causes))
		}
		for _, tok := range h.tokens {
			if tok != 7 {
				t.Errorf("fencing token %d, want the lease's 7", tok)
			}
		}
		if len(h.tokens) != len(h.started) {
			t.Errorf("%d of %d Deploys carried a fencing token", len(h.tokens), len(h.started))
		}
		for _, l := range f.log {
			if strings.HasPrefix(l, "rollback") {
				t.Errorf("a holder that lost its lease rolled back: %v", f.log)
			}
		}
	})
}

// Without a Lease the calls carry no fencing token.
func TestNoLeaseNoToken(t *testing.T) {
	f := newFleet("v1", "a")
	var ok bool
	d, _ := rollout.FromFuncs(func(ctx context.Context, t, v string) error {
		_, ok = rollout.FencingToken(ctx)
		return f.Deploy(ctx, t, v)
	}, f.Rollback, f.Version)
	p, _ := rollout.NewPlan("v2", []string{"a"}, rollout.Gates(pass("g")), rollout.NoRehearsal())
	ex, _ := rollout.New(d)
	if _, err := ex.Run(context.Background(), p, p.Fingerprint()); err != nil || ok {
		t.Fatalf("Run: %v, token present: %v", err, ok)
	}
}

// cancelStore is a leased journal whose Check, like a query on a pgx
// connection, kills its lease when its context ends while it runs: it
// takes a second (the store is slow), and a cancel meanwhile poisons every
// later Check and Append.
type cancelStore struct {
	memStore
	mu   sync.Mutex
	dead error
}

func (c *cancelStore) Check(ctx context.Context) (time.Time, int64, error) {
	c.mu.Lock()
	dead := c.dead
	c.mu.Unlock()
	if dead != nil {
		return time.Time{}, 0, dead
	}
	select {
	case <-time.After(time.Second):
		return time.Now(), 1, nil
	case <-ctx.Done():
		c.mu.Lock()
		c.dead = errors.New("connection closed by a cancelled query")
		c.mu.Unlock()
		return time.Time{}, 0, c.dead
	}
}

func (c *cancelStore) Append(ctx context.Context, rec []byte) error {
	c.mu.Lock()
	dead := c.dead
	c.mu.Unlock()
	if dead != nil {
		return dead
	}
	return c.memStore.Append(ctx, rec)
}

// slowFail's Deploy of one target fails after a delay.
type slowFail struct {
	*fleet
	target string
}

func (d slowFail) Deploy(ctx context.Context, t, v string) error {
	if t == d.target {
		time.Sleep(500 * time.Millisecond)
		return errors.New("deploy tool: exit 3")
	}
	return d.fleet.Deploy(ctx, t, v)
}

// A deploy that fails while a sibling's lease proof is in flight stops the
// wave; the proof must not be cancelled with it (on pgjournal a cancelled
// statement closes the lease's connection), or the rollback that follows
// cannot journal and the rollout ends interrupted, nothing rolled back.
// Wave 2, two at a time: each proof takes 1 s; t01's Deploy fails 0.5 s
// after its proof, while t03's proof (begun when t02 was done) runs.
func TestFailedDeployDoesNotCancelALeaseProof(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		targets := names("t", 4)
		f := newFleet("v1", targets...)
		p, _ := rollout.NewPlan("v2", targets, rollout.Gates(pass("g")), rollout.NoRehearsal(),
			rollout.Waves(targets[:1], targets[1:]))
		ex, _ := rollout.New(slowFail{f, "t01"}, rollout.Journal(&cancelStore{}), rollout.Concurrency(2))
		rep, err := ex.Run(context.Background(), p, p.Fingerprint())
		if rep == nil || rep.Outcome != rollout.OutcomeRolledBack || !errors.Is(err, rollout.ErrRolledBack) {
			t.Fatalf("Run with a deploy failing beside a lease proof: %v", err)
		}
		for _, tg := range []string{"t00", "t02"} {
			if v, _ := f.Version(context.Background(), tg); v != "v1" {
				t.Errorf("%s left on %s, want rolled back to v1", tg, v)
			}
		}
	})
}
