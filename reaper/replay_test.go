package reaper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// The Xervo replay (July 22nd 2015): an auditing tool scanned for servos no
// longer tied to a project and deprovisioned them; it misread how the
// previous generation of hosts stored their servo lists, saw live servos as
// orphans, and took projects offline in the largest region.

type xervo struct {
	inv     *fleet
	dep     *fakeDep
	sink    *memSink
	orphans map[string]bool // the truth: servos whose project is gone

	mu           sync.Mutex
	hostdbBug    bool // the hostdb observer misreads old-generation hosts
	projectsDown bool
	billingDown  bool
}

// infoSink keeps Info and above, as a production logger does: no
// per-resource verdicts.
type infoSink struct{ memSink }

func (s *infoSink) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func newXervo(t testing.TB) *xervo {
	t.Helper()
	x := &xervo{dep: newDep(), sink: &memSink{}, orphans: map[string]bool{}}
	x.inv = &fleet{}
	regions := []struct {
		name string
		n    int
	}{{"joyent-us-east-1", 5000}, {"joyent-eu-ams-1", 3000}, {"aws-us-west-2", 1200}, {"aws-eu-west-1", 800}}
	i := 0
	for _, reg := range regions {
		for k := 0; k < reg.n; k++ {
			gen := "current"
			if k%3 == 0 {
				gen = "previous" // a third of each region still on the old hosts
			}
			id := fmt.Sprintf("servo-%05d", i)
			x.inv.res = append(x.inv.res, res(id, "region", reg.name, "generation", gen, "project", fmt.Sprintf("p-%d", i/4)))
			if i%1250 == 7 { // 8 true orphans spread over regions and generations
				x.orphans[id] = true
			}
			i++
		}
	}
	return x
}

func (x *xervo) observers() []Observer {
	hostdb := obs{name: "hostdb", source: "hosts", fn: func(_ context.Context, r Resource) (Vote, error) {
		x.mu.Lock()
		bug := x.hostdbBug
		x.mu.Unlock()
		if bug && r.Attrs["generation"] == "previous" {
			// The overlooked difference: previous-generation hosts keep servo
			// lists under another key, so the servo is "not on any host".
			return Vote{Orphan, "servo not listed on its host (servos[] empty)"}, nil
		}
		if x.orphans[r.ID] {
			return Vote{Orphan, "servo not listed on its host"}, nil
		}
		return Vote{Alive, "servo running on its host"}, nil
	}}
	projects := obs{name: "projects", source: "projectdb", fn: func(ctx context.Context, r Resource) (Vote, error) {
		exists, err := Lookup(ctx, "project/"+r.Attrs["project"], func(context.Context) (bool, error) {
			x.mu.Lock()
			down := x.projectsDown
			x.mu.Unlock()
			if down {
				return false, errors.New("projectdb: connection refused")
			}
			return true, nil
		})
		if err != nil {
			return Vote{}, err
		}
		if !exists || x.orphans[r.ID] {
			return Vote{Orphan, "no project references this servo"}, nil
		}
		return Vote{Alive, "referenced by project " + r.Attrs["project"]}, nil
	}}
	billing := obs{name: "billing", source: "billing", fn: func(_ context.Context, r Resource) (Vote, error) {
		x.mu.Lock()
		down := x.billingDown
		x.mu.Unlock()
		if down {
			return Vote{}, errors.New("billing API: 503")
		}
		if x.orphans[r.ID] {
			return Vote{Orphan, "no billing line for 30 days"}, nil
		}
		return Vote{Alive, "billed this hour"}, nil
	}}
	return []Observer{hostdb, projects, billing}
}

func (x *xervo) reaper(t testing.TB, led Ledger, o []Observer, opts ...Option) *Reaper {
	t.Helper()
	base := []Option{Logger(slog.New(x.sink)), Strata("region", "generation"), Act(Delete, defaultGraceSweeps)}
	return mustNew(t, x.inv, o, x.dep, led, append(base, opts...)...)
}

// shadowed is the ledger after the default three shadow sweeps with
// healthy observers, computed once: each test starts from a copy.
var shadowed struct {
	once sync.Once
	blob []byte
	at   time.Time
	err  error
}

// shadowPeriod puts the ledger and clock where they are after the shadow
// period, so the fleet is vetted for Delete mode.
func (x *xervo) shadowPeriod(t testing.TB, led *memoryLedger) {
	t.Helper()
	shadowed.once.Do(func() {
		y := newXervo(t)
		l := newMemLedger()
		r, err := New(y.inv, y.observers(), y.dep, l, auditTo(&memSink{}), Strata("region", "generation"))
		for i := 0; err == nil && i < defaultGraceSweeps; i++ {
			_, err = r.Sweep(context.Background())
			time.Sleep(time.Hour)
		}
		shadowed.blob, shadowed.at, shadowed.err = l.blob, time.Now(), err
	})
	if shadowed.err != nil {
		t.Fatalf("shadow period: %v", shadowed.err)
	}
	led.blob = append([]byte(nil), shadowed.blob...)
	time.Sleep(time.Until(shadowed.at)) // every bubble starts at t0
}

func (x *xervo) liveActedOn() []string {
	x.dep.mu.Lock()
	defer x.dep.mu.Unlock()
	var bad []string
	for _, c := range x.dep.calls {
		if !x.orphans[c.ID] && c.Act != Restore {
			bad = append(bad, string(c.Act)+" "+c.ID)
		}
	}
	return bad
}

func TestXervoReplayQuorumAndStratumBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := newXervo(t)
		led := newMemLedger()
		x.shadowPeriod(t, led)
		x.hostdbBug = true // the new tool version meets the previous generation
		r := x.reaper(t, led, x.observers())
		rep, err := r.Sweep(context.Background())
		var be *BreakerError
		if !errors.As(err, &be) {
			t.Fatalf("err = %v, want the breaker to halt", err)
		}
		// What tripped: hostdb calls the whole previous generation orphaned.
		if !slices.ContainsFunc(be.Trips, func(tr Trip) bool {
			return tr.Limit == "observer-stratum-fraction" && tr.Stratum == "generation=previous" && tr.Observer == "hostdb" && tr.Count >= 3300
		}) {
			t.Fatalf("trips do not name hostdb on generation=previous: %v", be)
		}
		// The quorum alone already vetoed every live servo.
		if rep.Orphan != len(x.orphans) {
			t.Fatalf("orphan verdicts = %d, want only the %d true orphans", rep.Orphan, len(x.orphans))
		}
		if bad := x.liveActedOn(); len(bad) > 0 || len(x.dep.calls) > 0 {
			t.Fatalf("acted: %v", x.dep.calls)
		}
		// The audit log shows why: the breaker record, and per-servo votes where
		// hostdb's Orphan is vetoed by projects and billing.
		br := x.sink.Records(KindBreaker)
		if len(br) != 1 || br[0].HaltID != be.HaltID || !strings.Contains(fmt.Sprint(br[0].Trips), "generation=previous") {
			t.Fatalf("breaker audit: %+v", br)
		}
		var vetoed *record
		for _, rec := range x.sink.Records(KindVerdict) {
			if rec.Sweep == rep.Sweep && rec.Attrs["generation"] == "previous" && !x.orphans[rec.Resource] {
				vetoed = &rec
				break
			}
		}
		if vetoed == nil || vetoed.Verdict != Alive || vetoed.Votes[0].Verdict != Orphan ||
			!strings.Contains(vetoed.Votes[0].Evidence, "servos[] empty") || vetoed.Votes[1].Verdict != Alive {
			t.Fatalf("verdict audit does not show the veto: %+v", vetoed)
		}
		// Halted until someone looks: the next sweep refuses.
		if _, err := r.Sweep(context.Background()); !errors.Is(err, ErrHalted) {
			t.Fatalf("second sweep: %v", err)
		}
	})
}

// The original tool trusted one detector. Configured that way, the reaper
// still deletes nothing: the stratum limits halt the first sweep.
func TestXervoReplaySingleDetector(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := newXervo(t)
		led := newMemLedger()
		x.shadowPeriod(t, led)
		x.hostdbBug = true
		r := x.reaper(t, led, x.observers()[:1], Quorum(1, 1), Grace(1, 0), QuarantineWindow(0))
		_, err := r.Sweep(context.Background())
		got := tripLimits(err)
		for _, want := range []string{"stratum-fraction/generation=previous/", "inventory-fraction//", "actions//"} {
			if !slices.Contains(got, want) {
				t.Errorf("trip %s missing from %v", want, got)
			}
		}
		if len(x.dep.calls) != 0 {
			t.Fatalf("acted: %d calls", len(x.dep.calls))
		}
	})
}

func TestXervoReplayObserversErroring(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := newXervo(t)
		led := newMemLedger()
		x.shadowPeriod(t, led)
		x.projectsDown, x.billingDown = true, true
		r := x.reaper(t, led, x.observers(), Grace(1, 0), QuarantineWindow(0))
		for i := 0; i < 2; i++ {
			rep, err := r.Sweep(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Orphan != 0 || rep.Unknown != len(x.orphans) {
				t.Fatalf("sweep %d: %+v", i, rep)
			}
			time.Sleep(24 * time.Hour)
		}
		if len(x.dep.calls) != 0 {
			t.Fatalf("acted with two observers down: %v", x.dep.calls)
		}
	})
}

func TestXervoReplayTruncatedInventory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := newXervo(t)
		led := newMemLedger()
		x.shadowPeriod(t, led)
		x.inv.res = x.inv.res[:5000] // the listing API returned only the first region
		r := x.reaper(t, led, x.observers())
		_, err := r.Sweep(context.Background())
		if !slices.Equal(tripLimits(err), []string{"inventory-shrunk//"}) {
			t.Fatalf("err = %v", err)
		}
		if len(x.dep.calls) != 0 {
			t.Fatal("acted on a truncated inventory")
		}
	})
}

func TestXervoReplayTrueOrphansReclaimed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := newXervo(t)
		led := newMemLedger()
		x.shadowPeriod(t, led)
		r := x.reaper(t, led, x.observers())
		// Grace: three sweeps spanning a day (the shadow sweeps already count).
		time.Sleep(24 * time.Hour)
		rep := sweepOK(t, r)
		if len(rep.Quarantined) != len(x.orphans) {
			t.Fatalf("quarantined %v, want the %d true orphans", rep.Quarantined, len(x.orphans))
		}
		time.Sleep(defaultQuarantineWindow)
		rep = sweepOK(t, r)
		if len(rep.Deleted) != len(x.orphans) {
			t.Fatalf("deleted %v", rep.Deleted)
		}
		for _, id := range rep.Deleted {
			if !x.orphans[id] {
				t.Fatalf("deleted live %s", id)
			}
		}
		if bad := x.liveActedOn(); len(bad) > 0 || len(x.dep.violations) > 0 {
			t.Fatalf("live acted on %v, violations %v", bad, x.dep.violations)
		}
	})
}
