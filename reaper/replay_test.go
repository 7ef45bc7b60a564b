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
	"time"
)

// The Xervo replay (July 22nd 2015): an auditing tool scanned for servos no
// longer tied to a project and deprovisioned them; it misread how the
// previous generation of hosts stored their servo lists, saw live servos as
// orphans, and took projects offline in the largest region.

type xervo struct {
	clock   *fakeClock
	inv     *fleet
	dep     *fakeDep
	sink    *infoSink
	orphans map[string]bool // the truth: servos whose project is gone

	mu           sync.Mutex
	hostdbBug    bool // the hostdb observer misreads old-generation hosts
	projectsDown bool
	billingDown  bool
}

// infoSink keeps Info and above (every verdict with an Orphan vote or an
// observer error, every breaker decision and action).
type infoSink struct{ MemorySink }

func (s *infoSink) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func newXervo(t testing.TB) *xervo {
	t.Helper()
	x := &xervo{clock: newClock(), dep: newDep(), sink: &infoSink{}, orphans: map[string]bool{}}
	x.inv = &fleet{clock: x.clock}
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
	base := []Option{WithClock(x.clock), WithAudit(x.sink), WithStrata("region", "generation"), WithMode(Delete)}
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
func (x *xervo) shadowPeriod(t testing.TB, led *MemoryLedger) {
	t.Helper()
	shadowed.once.Do(func() {
		y := newXervo(t)
		l := &MemoryLedger{}
		r, err := New(y.inv, y.observers(), y.dep, l, WithClock(y.clock), WithAudit(&MemorySink{}), WithStrata("region", "generation"))
		for i := 0; err == nil && i < DefaultShadowSweeps; i++ {
			_, err = r.Sweep(context.Background())
			y.clock.Advance(time.Hour)
		}
		shadowed.blob, shadowed.at, shadowed.err = l.blob, y.clock.Now(), err
	})
	if shadowed.err != nil {
		t.Fatalf("shadow period: %v", shadowed.err)
	}
	led.blob = append([]byte(nil), shadowed.blob...)
	x.clock.t = shadowed.at
}

func (x *xervo) liveActedOn() []string {
	x.dep.mu.Lock()
	defer x.dep.mu.Unlock()
	var bad []string
	for _, c := range x.dep.calls {
		if !x.orphans[c.ID] && c.Act != ActRestore {
			bad = append(bad, string(c.Act)+" "+c.ID)
		}
	}
	return bad
}

func TestXervoReplayQuorumAndStratumBreaker(t *testing.T) {
	x := newXervo(t)
	led := &MemoryLedger{}
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
	var vetoed *Record
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
}

// The original tool trusted one detector. Configured that way, the reaper
// still deletes nothing: the stratum limits halt the first sweep.
func TestXervoReplaySingleDetector(t *testing.T) {
	x := newXervo(t)
	led := &MemoryLedger{}
	x.shadowPeriod(t, led)
	x.hostdbBug = true
	r := x.reaper(t, led, x.observers()[:1], WithQuorum(1, 1), WithGrace(1, 0), WithQuarantineWindow(0))
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
}

func TestXervoReplayObserversErroring(t *testing.T) {
	x := newXervo(t)
	led := &MemoryLedger{}
	x.shadowPeriod(t, led)
	x.projectsDown, x.billingDown = true, true
	r := x.reaper(t, led, x.observers(), WithGrace(1, 0), WithQuarantineWindow(0))
	for i := 0; i < 2; i++ {
		rep, err := r.Sweep(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Orphan != 0 || rep.Unknown != len(x.orphans) {
			t.Fatalf("sweep %d: %+v", i, rep)
		}
		x.clock.Advance(24 * time.Hour)
	}
	if len(x.dep.calls) != 0 {
		t.Fatalf("acted with two observers down: %v", x.dep.calls)
	}
}

func TestXervoReplayTruncatedInventory(t *testing.T) {
	x := newXervo(t)
	led := &MemoryLedger{}
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
}

func TestXervoReplayTrueOrphansReclaimed(t *testing.T) {
	x := newXervo(t)
	led := &MemoryLedger{}
	x.shadowPeriod(t, led)
	r := x.reaper(t, led, x.observers())
	// Grace: three sweeps spanning a day (the shadow sweeps already count).
	x.clock.Advance(24 * time.Hour)
	rep := sweepOK(t, r)
	if len(rep.Quarantined) != len(x.orphans) {
		t.Fatalf("quarantined %v, want the %d true orphans", rep.Quarantined, len(x.orphans))
	}
	x.clock.Advance(DefaultQuarantineWindow)
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
}
