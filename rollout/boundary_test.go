package rollout_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// slowFleet's targets report a new version only readyAfter its Deploy.
type slowFleet struct {
	*fleet
	readyAfter time.Duration
	mu2        sync.Mutex
	deployedAt map[string]time.Time
}

func (s *slowFleet) Deploy(ctx context.Context, t, v string) error {
	s.mu2.Lock()
	s.deployedAt[t] = time.Now()
	s.mu2.Unlock()
	return s.fleet.Deploy(ctx, t, v)
}

func (s *slowFleet) Version(ctx context.Context, t string) (string, error) {
	s.mu2.Lock()
	at, ok := s.deployedAt[t]
	s.mu2.Unlock()
	if ok && time.Since(at) < s.readyAfter {
		return "v1", nil // not settled yet
	}
	return s.fleet.Version(ctx, t)
}

// A target that settles exactly at the settle deadline is confirmed; one
// that settles a nanosecond later is not.
func TestSettleBoundary(t *testing.T) {
	const settle = 30 * time.Second
	for _, tc := range []struct {
		readyAfter time.Duration
		confirmed  bool
	}{
		{settle / 3, true},
		{settle, true},
		{settle + time.Nanosecond, false},
	} {
		synctest.Test(t, func(t *testing.T) {
			s := &slowFleet{fleet: newFleet("v1", "a"), readyAfter: tc.readyAfter, deployedAt: map[string]time.Time{}}
			p, _ := rollout.NewPlan("v2", []string{"a"}, rollout.Gates(pass("g")), rollout.NoRehearsal(), rollout.Settle(settle))
			ex, _ := rollout.New(s)
			_, err := ex.Run(context.Background(), p, p.Fingerprint())
			if tc.confirmed != (err == nil) || !tc.confirmed && !errors.Is(err, rollout.ErrConfirm) {
				t.Errorf("ready after %v: %v", tc.readyAfter, err)
			}
		})
	}
}

// A gate's deadline and its grace, pinned on both sides: a check that
// returns just before its deadline passes; just after, it times out; one
// that ignores its context is abandoned only after the grace.
func TestGateDeadlineAndGraceBoundaries(t *testing.T) {
	const d = 10 * time.Second
	const grace = time.Second // a tenth of the deadline, at most 1s
	for _, tc := range []struct {
		returnsAfter    time.Duration
		ignoresCtx      bool
		pass, abandoned bool
	}{
		{d - time.Nanosecond, false, true, false},
		{d + time.Nanosecond, true, false, false},
		{d + grace - time.Nanosecond, true, false, false},
		{d + grace + time.Nanosecond, true, false, true},
	} {
		synctest.Test(t, func(t *testing.T) {
			defer time.Sleep(3 * d) // fake time: let an abandoned check return before the bubble ends
			gate := rollout.Gate{Name: "g", Deadline: d, Check: func(ctx context.Context, in rollout.GateInput) error {
				if in.Phase != "deploy" {
					return nil
				}
				timer := time.NewTimer(tc.returnsAfter)
				defer timer.Stop()
				if tc.ignoresCtx {
					<-timer.C
					return nil
				}
				select {
				case <-timer.C:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}}
			p, _ := rollout.NewPlan("v2", []string{"a"}, rollout.Gates(gate), rollout.NoRehearsal())
			ex, _ := rollout.New(newFleet("v1", "a"))
			_, err := ex.Run(context.Background(), p, p.Fingerprint())
			var ge *rollout.GateError
			switch {
			case tc.pass && err != nil:
				t.Errorf("returns after %v: %v", tc.returnsAfter, err)
			case !tc.pass && (!errors.As(err, &ge) || !ge.TimedOut || ge.Abandoned != tc.abandoned):
				t.Errorf("returns after %v: %v (abandoned %v, want %v)", tc.returnsAfter, err, ge != nil && ge.Abandoned, tc.abandoned)
			}
		})
	}
}
