package reaper_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/deploysafe/deploysafe/reaper"
	"golang.org/x/time/rate"
)

// A toy world: 200 servers in two host generations. srv-007 has no owner.

type inventory struct {
	rs []reaper.Resource
	at *time.Time // the listing is fresh as of the (fake) clock
}

func (i inventory) List(context.Context) (reaper.Snapshot, error) {
	return reaper.Snapshot{Resources: i.rs, AsOf: *i.at}, nil
}

var now = time.Date(2015, 7, 22, 12, 0, 0, 0, time.UTC)

type clock struct{ t *time.Time }

func (c clock) Now() time.Time                                 { return *c.t }
func (c clock) Sleep(_ context.Context, d time.Duration) error { *c.t = c.t.Add(d); return nil }

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

// observer votes from a function; real ones query a database or an API.
type observer struct {
	name string
	vote func(reaper.Resource) reaper.Vote
}

func (o observer) Name() string   { return o.name }
func (o observer) Source() string { return o.name }
func (o observer) Observe(_ context.Context, r reaper.Resource) (reaper.Vote, error) {
	return o.vote(r), nil
}

func truthful(name string) observer {
	return observer{name, func(r reaper.Resource) reaper.Vote {
		if r.ID == "srv-007" {
			return reaper.Vote{Verdict: reaper.Orphan, Evidence: name + ": no project"}
		}
		return reaper.Vote{Verdict: reaper.Alive, Evidence: name + ": in use"}
	}}
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
	ledger, _ := reaper.NewFileLedger(filepath.Join(dir, "ledger"))
	observers := []reaper.Observer{truthful("hostdb"), truthful("projects"), truthful("billing")}
	opts := []reaper.Option{reaper.WithStrata("generation"), reaper.WithClock(clock{&t}), reaper.WithAudit(&reaper.MemorySink{})}
	ctx := context.Background()

	shadow, _ := reaper.New(fleet(&t), observers, printer{}, ledger, opts...)
	for i := 0; i < 3; i++ { // shadow: decide and record, never act
		rep, _ := shadow.Sweep(ctx)
		fmt.Println("shadow sweep", rep.Sweep, "orphans", rep.Orphan, "would", rep.Planned)
		t = t.Add(12 * time.Hour)
	}
	r, _ := reaper.New(fleet(&t), observers, printer{}, ledger, append(opts, reaper.WithMode(reaper.Delete))...)
	rep, err := r.Sweep(ctx) // grace done: 4 sweeps over 36h
	fmt.Println("mode", rep.Mode, "quarantined", rep.Quarantined, err)
	t = t.Add(reaper.DefaultQuarantineWindow)
	rep, _ = r.Sweep(ctx)
	fmt.Println("deleted", rep.Deleted)
	// Output:
	// shadow sweep 1 orphans 1 would []
	// shadow sweep 2 orphans 1 would []
	// shadow sweep 3 orphans 1 would [{srv-007 quarantine}]
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
	broken := observer{"hostdb", func(r reaper.Resource) reaper.Vote {
		if r.Attrs["generation"] == "previous" {
			return reaper.Vote{Verdict: reaper.Orphan, Evidence: "servo not on host (old format)"}
		}
		return reaper.Vote{Verdict: reaper.Alive, Evidence: "on host"}
	}}
	r, err := reaper.New(fleet(&t), []reaper.Observer{broken, truthful("projects"), truthful("billing")}, printer{},
		&reaper.MemoryLedger{}, reaper.WithStrata("generation"), reaper.WithClock(clock{&t}), reaper.WithAudit(&reaper.MemorySink{}))
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
	_, err := reaper.New(fleet(&t), []reaper.Observer{truthful("a"), truthful("b")}, printer{}, &reaper.MemoryLedger{},
		reaper.WithQuorum(3, 2))
	fmt.Println(err)
	fmt.Println(errors.Is(err, reaper.ErrConfig))
	// Output:
	// reaper: quorum of 3 votes but only 2 observers: reaper: invalid configuration
	// true
}

// Observers share look-ups: one query per project per sweep, however many
// resources belong to it.
func ExampleLookup() {
	queries := 0
	projects := observer{"projects", nil}
	obs := lookupObserver{projects, &queries}
	rs := []reaper.Resource{}
	for i := 0; i < 100; i++ {
		rs = append(rs, reaper.Resource{ID: fmt.Sprint("r", i), Attrs: map[string]string{"project": fmt.Sprint("p", i%4)}})
	}
	t := now
	r, _ := reaper.New(inventory{rs, &t}, []reaper.Observer{obs}, printer{}, &reaper.MemoryLedger{},
		reaper.WithQuorum(1, 1), reaper.WithConcurrency(1), reaper.WithRate(rate.Inf, 0),
		reaper.WithClock(clock{&t}), reaper.WithAudit(&reaper.MemorySink{}))
	rep, _ := r.Sweep(context.Background())
	fmt.Println("alive", rep.Alive, "queries", queries)
	// Output:
	// alive 100 queries 4
}

type lookupObserver struct {
	observer
	queries *int
}

func (o lookupObserver) Observe(ctx context.Context, r reaper.Resource) (reaper.Vote, error) {
	owner, err := reaper.Lookup(ctx, "project/"+r.Attrs["project"], func(context.Context) (string, error) {
		*o.queries++ // WithConcurrency(1) here; real code counts atomically
		return "team-" + r.Attrs["project"], nil
	})
	if err != nil {
		return reaper.Vote{}, err
	}
	return reaper.Vote{Verdict: reaper.Alive, Evidence: "project owned by " + owner}, nil
}
