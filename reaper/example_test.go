package reaper_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/time/rate"

	"github.com/deploysafe/deploysafe/reaper"
)

// A toy world: 200 servers in two host generations. srv-007 has no owner.

type inventory struct {
	rs []reaper.Resource
	at *time.Time // the listing is fresh as of the (fake) clock
}

func (i inventory) List(context.Context) (reaper.Listing, error) {
	return reaper.Listing{Resources: i.rs, AsOf: *i.at}, nil
}

// now is where the examples' clock starts; each example moves its own
// copy forward through reaper.Clock instead of waiting days.
var now = time.Date(2015, 7, 22, 12, 0, 0, 0, time.UTC)

func clock(t *time.Time) reaper.Option { return reaper.Clock(func() time.Time { return *t }) }

func fleet(at *time.Time) inventory {
	var rs []reaper.Resource
	for i := 0; i < 200; i++ {
		gen := "current"
		if i%2 == 0 {
			gen = "previous"
		}
		rs = append(rs, reaper.Resource{ID: fmt.Sprintf("srv-%03d", i), Attrs: map[string]string{"generation": gen}})
	}
	return inventory{rs, at}
}

// truthful votes from a function; real observers query a database or an API.
func truthful(name string) reaper.Observer {
	return reaper.ObserverFunc(name, name, func(_ context.Context, r reaper.Resource) (reaper.Vote, error) {
		if r.ID == "srv-007" {
			return reaper.Vote{Verdict: reaper.Orphan, Evidence: name + ": no project"}, nil
		}
		return reaper.Vote{Verdict: reaper.Alive, Evidence: name + ": in use"}, nil
	})
}

type printer struct{}

func (printer) Quarantine(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	fmt.Println("quarantine", r.ID)
	return nil
}
func (printer) Restore(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	fmt.Println("restore", r.ID)
	return nil
}
func (printer) Delete(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	fmt.Println("delete", r.ID)
	return nil
}

// The whole life of an orphan: shadow sweeps, grace, quarantine, delete.
func Example() {
	t := now
	dir, _ := os.MkdirTemp("", "reaper-example")
	defer os.RemoveAll(dir)
	ledger, _ := reaper.FileLedger(filepath.Join(dir, "ledger"))
	observers := []reaper.Observer{truthful("hostdb"), truthful("projects"), truthful("billing")}
	opts := []reaper.Option{reaper.Strata("generation"), clock(&t)}
	ctx := context.Background()

	shadow, _ := reaper.New(fleet(&t), observers, printer{}, ledger, opts...)
	for i := 0; i < 3; i++ { // shadow: decide and record, never act
		rep, _ := shadow.Sweep(ctx)
		fmt.Println("shadow sweep", rep.Sweep, "orphans", rep.Orphan, "would", rep.Planned)
		t = t.Add(12 * time.Hour)
	}
	r, _ := reaper.New(fleet(&t), observers, printer{}, ledger, append(opts, reaper.Act(reaper.Delete, 3))...)
	rep, err := r.Sweep(ctx) // grace done: 4 sweeps over 36h
	fmt.Println("mode", rep.Mode, "quarantined", rep.Quarantined, err)
	t = t.Add(72 * time.Hour) // the quarantine window
	rep, _ = r.Sweep(ctx)
	fmt.Println("deleted", rep.Deleted)
	// Output:
	// shadow sweep 1 orphans 1 would map[]
	// shadow sweep 2 orphans 1 would map[]
	// shadow sweep 3 orphans 1 would map[srv-007:quarantine]
	// quarantine srv-007
	// mode delete quarantined [srv-007] <nil>
	// delete srv-007
	// deleted [srv-007]
}

// One observer misreads the previous host generation (Xervo, 2015). The
// other two veto every live server, and the breaker halts the sweep because
// one observer calls a whole stratum orphaned.
func Example_brokenObserver() {
	t := now
	broken := reaper.ObserverFunc("hostdb", "hostdb", func(_ context.Context, r reaper.Resource) (reaper.Vote, error) {
		if r.Attrs["generation"] == "previous" {
			return reaper.Vote{Verdict: reaper.Orphan, Evidence: "servo not on host (old format)"}, nil
		}
		return reaper.Vote{Verdict: reaper.Alive, Evidence: "on host"}, nil
	})
	r, err := reaper.New(fleet(&t), []reaper.Observer{broken, truthful("projects"), truthful("billing")}, printer{},
		reaper.MemoryLedger(), reaper.Strata("generation"), clock(&t))
	if err != nil {
		panic(err)
	}
	_, err = r.Sweep(context.Background())
	var be *reaper.BreakerError
	if errors.As(err, &be) {
		for _, trip := range be.Trips {
			fmt.Println(trip.Limit, trip.Stratum, trip.Observer, trip.Count, "of", trip.Total)
		}
	}
	_, err = r.Sweep(context.Background())
	fmt.Println(errors.Is(err, reaper.ErrHalted))
	fmt.Println(r.Acknowledge(context.Background(), be.HaltID, "oncall@example.com"))
	// Output:
	// observer-stratum-fraction generation=previous hostdb 100 of 100
	// true
	// <nil>
}

// Bad configuration is refused at construction.
func ExampleNew_badInput() {
	t := now
	_, err := reaper.New(fleet(&t), []reaper.Observer{truthful("a"), truthful("b")}, printer{}, reaper.MemoryLedger(),
		reaper.Quorum(3, 2))
	fmt.Println(err)
	fmt.Println(errors.Is(err, reaper.ErrConfig))
	// Output:
	// reaper: Quorum(3, 2): only 2 observers: reaper: invalid configuration
	// true
}

// Observers share look-ups: one query per project per sweep, however many
// resources belong to it.
func ExampleLookup() {
	queries := 0
	obs := lookupObserver{&queries}
	rs := []reaper.Resource{}
	for i := 0; i < 100; i++ {
		rs = append(rs, reaper.Resource{ID: fmt.Sprint("r", i), Attrs: map[string]string{"project": fmt.Sprint("p", i%4)}})
	}
	t := now
	limits := reaper.DefaultLimits()
	limits.Concurrency = 1
	r, _ := reaper.New(inventory{rs, &t}, []reaper.Observer{obs}, printer{}, reaper.MemoryLedger(),
		reaper.Quorum(1, 1), reaper.Limit(limits), clock(&t))
	rep, _ := r.Sweep(context.Background())
	fmt.Println("alive", rep.Alive, "queries", queries)
	// Output:
	// alive 100 queries 4
}

type lookupObserver struct{ queries *int }

func (lookupObserver) Name() string   { return "projects" }
func (lookupObserver) Source() string { return "projects" }

func (o lookupObserver) Observe(ctx context.Context, r reaper.Resource) (reaper.Vote, error) {
	owner, err := reaper.Lookup(ctx, "project/"+r.Attrs["project"], func(context.Context) (string, error) {
		*o.queries++ // Concurrency 1 here; real code counts atomically
		return "team-" + r.Attrs["project"], nil
	})
	if err != nil {
		return reaper.Vote{}, err
	}
	return reaper.Vote{Verdict: reaper.Alive, Evidence: "project owned by " + owner}, nil
}

// A deprovisioner for resources that cannot be stopped: the reaper still
// waits out grace and the quarantine window before the one call it makes.
func ExampleDeleteOnly() {
	t := now
	del := reaper.DeleteOnly(func(_ context.Context, r reaper.Resource, pre reaper.Precondition) error {
		fmt.Println("delete", r.ID, "after", pre.JudgedAt.Sub(now))
		return nil
	})
	limits := reaper.DefaultLimits()
	limits.Rate = rate.Inf
	r, _ := reaper.New(fleet(&t), []reaper.Observer{truthful("hostdb"), truthful("projects")}, del, reaper.MemoryLedger(),
		reaper.Act(reaper.Delete, 0), reaper.Grace(2, 12*time.Hour), reaper.Limit(limits), clock(&t))
	for i := 0; i < 10; i++ {
		r.Sweep(context.Background())
		t = t.Add(12 * time.Hour)
	}
	// Output:
	// delete srv-007 after 84h0m0s
}

// A deprovisioner that refuses only when what matters changed: the owner
// and the generation, not the last-seen time that moves on its own.
func ExamplePrecondition_CheckKeys() {
	pre := reaper.Precondition{Attrs: map[string]string{"owner": "", "generation": "previous", "last_seen": "09:00"}}
	live := map[string]string{"owner": "", "generation": "previous", "last_seen": "09:55"}
	fmt.Println(pre.Check(live) != nil)
	fmt.Println(pre.CheckKeys(live, "owner", "generation"))
	live["owner"] = "team-billing"
	err := pre.CheckKeys(live, "owner", "generation")
	fmt.Println(errors.Is(err, reaper.ErrPrecondition), err)
	// Output:
	// true
	// <nil>
	// true reaper: attribute "owner" is "team-billing", judged "": reaper: precondition failed
}
