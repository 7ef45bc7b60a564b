package reaper

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// checkLease is a Lease whose Acquire and Check fail with the errors
// given, counting the calls.
type checkLease struct {
	mu                        sync.Mutex
	acquireErr, checkErr      error
	acquires, checks, release int
}

func (l *checkLease) Acquire(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acquires++
	return l.acquireErr
}
func (l *checkLease) Check(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checks++
	return l.checkErr
}
func (l *checkLease) Release(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.release++
	return nil
}

// TestLeaseCheckedBeforeEachAction: a sweep asks the lease before every
// action and stops, acting on nothing, once it is lost; while it holds,
// the action goes through after one check.
func TestLeaseCheckedBeforeEachAction(t *testing.T) {
	for _, lost := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			truth := map[string]bool{"o": true}
			lease := &checkLease{}
			if lost {
				lease.checkErr = errors.New("test lease: session gone")
			}
			dep := newDep()
			r := mustNew(t, oneOrphanFleet(), []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
				append(fast(&memSink{}), Act(Quarantine, 0), Grace(1, 0), Elect(lease))...)
			rep, err := r.Sweep(context.Background())
			switch {
			case lost && (!errors.Is(err, ErrLeaseLost) || len(dep.calls) != 0 || len(rep.Quarantined) != 0):
				t.Fatalf("lease lost: %v, calls %v, want ErrLeaseLost and nothing done", err, dep.calls)
			case !lost && (err != nil || dep.count(Quarantine) != 1):
				t.Fatalf("lease held: %v, calls %v, want o quarantined", err, dep.calls)
			case lease.checks != 1 || lease.acquires != 1 || lease.release != 1:
				t.Fatalf("lost %v: %d acquires, %d checks, %d releases, want one each", lost, lease.acquires, lease.checks, lease.release)
			}
		})
	}
}

// TestRestoreTakesTheLease: a manual Restore takes the configured lease
// (and gives it back), and does nothing while another replica holds it.
func TestRestoreTakesTheLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		truth := map[string]bool{"o": true}
		lease := &checkLease{}
		dep := newDep()
		r := mustNew(t, oneOrphanFleet(), []Observer{truthObs("a", truth), truthObs("b", truth)}, dep, newMemLedger(),
			append(fast(&memSink{}), Act(Quarantine, 0), Grace(1, 0), Elect(lease))...)
		sweepOK(t, r)
		lease.acquireErr = ErrLeaseHeld
		if err := r.Restore(context.Background(), "o"); !errors.Is(err, ErrLeaseHeld) || dep.count(Restore) != 0 {
			t.Fatalf("Restore with the lease held elsewhere: %v, calls %v", err, dep.calls)
		}
		lease.acquireErr = nil
		if err := r.Restore(context.Background(), "o"); err != nil || dep.count(Restore) != 1 {
			t.Fatalf("Restore: %v, calls %v", err, dep.calls)
		}
		if lease.acquires != 3 || lease.release != 2 {
			t.Fatalf("%d acquires, %d releases; want 3 (sweep, two restores) and 2 (the refused one held nothing)", lease.acquires, lease.release)
		}
	})
}

// TestLedgerClockFailureStopsTheSweep: a ledger that keeps time but cannot
// tell it fails the sweep (ErrLedger) before any observer is asked.
func TestLedgerClockFailureStopsTheSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		asked := 0
		o := obs{name: "a", source: "a", fn: func(context.Context, Resource) (Vote, error) { asked++; return Vote{Alive, "owned"}, nil }}
		clockErr := errors.New("test clock: connection reset")
		led := &timedLedger{at: time.Now}
		led.err = clockErr
		r := mustNew(t, oneOrphanFleet(), []Observer{o}, newDep(), led, append(fast(&memSink{}), Quorum(1, 1))...)
		if _, err := r.Sweep(context.Background()); !errors.Is(err, ErrLedger) || !errors.Is(err, clockErr) || asked != 0 {
			t.Fatalf("Sweep = %v after %d observations, want ErrLedger with the clock's error, none asked", err, asked)
		}
	})
}

// inFlight is a ledger holding o with an action issued whose outcome was
// never recorded (the process died): stage and key.
func inFlight(t *testing.T, stage stage, key string) *memoryLedger {
	t.Helper()
	st := newState()
	st.Sweeps, st.LastInventory, st.Seq = 3, 101, 7
	st.Entries["o"] = &entry{Stage: stage, Key: key, First: t0, QuarantinedAt: t0}
	blob, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	return &memoryLedger{blob: blob}
}

// TestInFlightActionsAreFinished: after a crash, a delete in flight is
// finished with its own key once o is judged orphaned again, and never
// undone or retried while it is judged alive (at the sweep or at the
// re-check just before acting); a restore in flight is finished with its
// own key whatever the verdict.
func TestInFlightActionsAreFinished(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, tc := range []struct {
			name       string
			stage      stage
			key        string
			verdicts   []Verdict // o's verdict at each call of an observer: the sweep's, then the re-check's
			want       []call
			wantStage  string // o's stage afterwards ("" gone)
			wantStatus []string
		}{
			{"delete, orphan", stDeleting, "delete/o/7", []Verdict{Orphan, Orphan}, []call{{Delete, "o", "delete/o/7"}}, "", nil},
			{"delete, alive", stDeleting, "delete/o/7", []Verdict{Alive}, nil, "deleting", []string{"o"}},
			{"delete, alive at the re-check", stDeleting, "delete/o/7", []Verdict{Orphan, Alive}, nil, "deleting", []string{"o"}},
			{"restore, orphan", stRestoring, "restore/o/7", []Verdict{Orphan, Orphan}, []call{{Restore, "o", "restore/o/7"}}, "", nil},
			{"restore, alive", stRestoring, "restore/o/7", []Verdict{Alive, Alive}, []call{{Restore, "o", "restore/o/7"}}, "", nil},
		} {
			calls := map[string]int{}
			var mu sync.Mutex
			vote := func(name string) obs {
				return obs{name: name, source: name, fn: func(_ context.Context, rs Resource) (Vote, error) {
					if rs.ID != "o" {
						return Vote{Alive, "owned"}, nil
					}
					mu.Lock()
					defer mu.Unlock()
					v := tc.verdicts[min(calls[name], len(tc.verdicts)-1)]
					calls[name]++
					return Vote{v, "test"}, nil
				}}
			}
			dep := newDep()
			led := inFlight(t, tc.stage, tc.key)
			r := mustNew(t, oneOrphanFleet(), []Observer{vote("a"), vote("b")}, dep, led, append(fast(&memSink{}), Act(Delete, 0), Grace(1, 0))...)
			if _, err := r.Sweep(context.Background()); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !slices.Equal(dep.calls, tc.want) {
				t.Errorf("%s: calls %v, want %v", tc.name, dep.calls, tc.want)
			}
			st, err := decodeState(led.blob)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if e := st.Entries["o"]; e != nil && e.Stage != stDeleted {
				got = string(e.Stage)
				if e.Key != tc.key {
					t.Errorf("%s: key %q, want %q kept", tc.name, e.Key, tc.key)
				}
			}
			if got != tc.wantStage {
				t.Errorf("%s: o's stage %q, want %q", tc.name, got, tc.wantStage)
			}
			status, _ := r.Status(context.Background())
			if !slices.Equal(status.Quarantined, tc.wantStatus) {
				t.Errorf("%s: Status.Quarantined %v, want %v", tc.name, status.Quarantined, tc.wantStatus)
			}
		}
	})
}

// flipObs votes on o from verdicts, one per call of this observer (the
// sweep's vote, then the re-check's), and Alive on everything else.
func flipObs(name string, verdicts ...Verdict) Observer {
	var mu sync.Mutex
	n := 0
	return obs{name: name, source: name, fn: func(_ context.Context, rs Resource) (Vote, error) {
		if rs.ID != "o" {
			return Vote{Alive, "owned"}, nil
		}
		mu.Lock()
		defer mu.Unlock()
		v := verdicts[min(n, len(verdicts)-1)]
		n++
		if v == Unknown {
			return Vote{}, errors.New("test observer: down")
		}
		return Vote{v, "test"}, nil
	}}
}

// TestRecheckDecidesBeforeActing: the re-check just before an action
// overrides the sweep's verdict: an Unknown keeps the entry as it was (a
// candidate stays a candidate, its streak intact), an Alive forgets a
// candidate and restores a quarantined resource instead of deleting it.
func TestRecheckDecidesBeforeActing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, tc := range []struct {
			name      string
			stage     stage // o's stage before the sweep ("" none)
			recheck   Verdict
			want      []call
			wantStage string // afterwards ("" forgotten)
		}{
			{"candidate, unknown", "", Unknown, nil, "candidate"},
			{"candidate, alive", "", Alive, nil, ""},
			{"quarantined, unknown", stQuarantined, Unknown, nil, "quarantined"},
			{"quarantined, alive", stQuarantined, Alive, []call{{Restore, "o", "restore/o/8"}}, ""},
		} {
			led := newMemLedger()
			if tc.stage != "" {
				led = inFlight(t, tc.stage, "")
			}
			dep := newDep()
			r := mustNew(t, oneOrphanFleet(), []Observer{flipObs("a", Orphan, tc.recheck), flipObs("b", Orphan, tc.recheck)}, dep, led,
				append(fast(&memSink{}), Act(Delete, 0), Grace(1, 0), QuarantineWindow(0))...)
			if _, err := r.Sweep(context.Background()); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !slices.Equal(dep.calls, tc.want) {
				t.Errorf("%s: calls %v, want %v", tc.name, dep.calls, tc.want)
			}
			st, err := decodeState(led.blob)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if e := st.Entries["o"]; e != nil {
				got = string(e.Stage)
			}
			if got != tc.wantStage {
				t.Errorf("%s: o's stage %q, want %q", tc.name, got, tc.wantStage)
			}
		}
	})
}

// TestObserverLimit: New takes up to maxObservers observers, not one more.
func TestObserverLimit(t *testing.T) {
	var many []Observer
	for i := range maxObservers + 1 {
		many = append(many, truthObs("o"+itoaT(i), nil))
	}
	if _, err := New(oneOrphanFleet(), many[:maxObservers], newDep(), newMemLedger()); err != nil {
		t.Fatalf("%d observers: %v", maxObservers, err)
	}
	if _, err := New(oneOrphanFleet(), many, newDep(), newMemLedger()); !errors.Is(err, ErrConfig) {
		t.Fatalf("%d observers: %v, want ErrConfig", len(many), err)
	}
}
