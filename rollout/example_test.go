package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// sites is a tiny in-memory Deployer: each site runs a version and
// remembers the one before.
type sites struct {
	mu             sync.Mutex
	cur, prev      map[string]string
	brokenRollback bool // Rollback reports success and does nothing
}

func newSites(version string, names ...string) *sites {
	s := &sites{cur: map[string]string{}, prev: map[string]string{}}
	for _, n := range names {
		s.cur[n] = version
	}
	return s
}

func (s *sites) Deploy(_ context.Context, site, version string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prev[site], s.cur[site] = s.cur[site], version
	return nil
}

func (s *sites) Rollback(_ context.Context, site string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.brokenRollback {
		s.cur[site] = s.prev[site]
	}
	return nil
}

func (s *sites) Version(_ context.Context, site string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur[site], nil
}

// versions prints how many sites run each version.
func (s *sites) versions() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	count := map[string]int{}
	for _, v := range s.cur {
		count[v]++
	}
	var out []string
	for v, n := range count {
		out = append(out, fmt.Sprintf("%s×%d", v, n))
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}

func siteNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("site%d", i+1)
	}
	return out
}

func ExampleNewPlan() {
	healthy := func(ctx context.Context, site string) error { return nil }
	plan, err := rollout.NewPlan("v2", siteNames(40),
		rollout.Gates(rollout.Smoke{Within: time.Minute, Probe: healthy}.Gate()),
		rollout.BakeEach(rollout.Bake{Min: 10 * time.Minute, Passes: 3, Every: 2 * time.Minute}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(plan)
	// Output:
	// rollout plan e585422e3fd5b0a73f70d6d2ad045707528a5800fd6793a76759fdbf10113740
	// deploy "v2" to 40 targets in 4 waves; rollback rehearsal on wave 1
	// every deploy confirmed by Version within 1m0s; each deployer call within 5m0s; off-plan changes are reported, not put back
	// wave 1 (canary): 1 target, 2.5% of all (cumulative 2.5%)
	//   gates: smoke (1m15s)
	//   bake: at least 10m0s and 3 passing gate runs, every 2m0s
	//   targets: site1
	// wave 2: 3 targets, 7.5% of all (cumulative 10%)
	//   gates: smoke (1m15s)
	//   bake: at least 10m0s and 3 passing gate runs, every 2m0s
	//   targets: site2, site3, site4
	// wave 3: 16 targets, 40% of all (cumulative 50%)
	//   gates: smoke (1m15s)
	//   bake: at least 10m0s and 3 passing gate runs, every 2m0s
	//   targets: site5, site6, site7, site8, site9 … and 11 more
	// wave 4: 20 targets, 50% of all (cumulative 100%)
	//   gates: smoke (1m15s)
	//   bake: at least 10m0s and 3 passing gate runs, every 2m0s
	//   targets: site21, site22, site23, site24, site25 … and 15 more
}

func ExampleNewPlan_badInput() {
	gate := rollout.Gate{Name: "health", Deadline: time.Second, Check: errorRate}
	_, err := rollout.NewPlan("v2", []string{"a", "b", "a"}, rollout.Gates(gate))
	fmt.Println(err)
	_, err = rollout.NewPlan("v2", siteNames(10), rollout.Gates(gate), rollout.Fractions(0.1, 0.5))
	fmt.Println(err)
	_, err = rollout.NewPlan("v2", siteNames(3), rollout.Gates(rollout.Gate{Name: "e2e", Check: errorRate}))
	fmt.Println(err)
	// Output:
	// rollout: invalid plan: duplicate target "a" at positions 0 and 2
	// rollout: invalid plan: wave sizes do not cover the targets: the last fraction is 0.5, not 1
	// rollout: invalid plan: wave 1: gate "e2e": deadline must be > 0, got 0s
}

// errorRate is a gate check that passes.
func errorRate(context.Context, rollout.GateInput) error { return nil }

func ExampleExecutor_Run() {
	fleet := newSites("v1", siteNames(20)...)
	plan, _ := rollout.NewPlan("v2", siteNames(20),
		rollout.Gates(rollout.Gate{Name: "error-rate", Deadline: 30 * time.Second, Check: errorRate}))
	ex, _ := rollout.New(fleet, rollout.OnEvent(func(e rollout.Event) {
		switch e.Kind {
		case "wave passed", "rehearsal":
			fmt.Printf("%s: wave %d\n", e.Kind, e.Wave)
		case "done":
			fmt.Println(e.Kind, e.Outcome)
		}
	}))
	report, err := ex.Run(context.Background(), plan, plan.Fingerprint())
	fmt.Println(err, report.WavesPassed, fleet.versions())
	// Output:
	// rehearsal: wave 1
	// wave passed: wave 1
	// wave passed: wave 2
	// wave passed: wave 3
	// wave passed: wave 4
	// done succeeded
	// <nil> 4 [v2×20]
}

// Productsup, 2020: a deploy meant for one group of sites upgraded others.
// The approved fingerprint covers exactly the planned sites; a plan with
// other sites is refused before anything is deployed.
func Example_wrongTargetsRefused() {
	heavy := []string{"heavy1", "heavy2", "heavy3"}
	fleet := newSites("v1", append(heavy, "site1", "site2")...)
	gate := rollout.Gate{Name: "imports", Deadline: time.Minute, Check: errorRate}
	approved, _ := rollout.NewPlan("v2", heavy, rollout.Gates(gate))

	mistaken, _ := rollout.NewPlan("v2", append(heavy, "site1", "site2"), rollout.Gates(gate))
	ex, _ := rollout.New(fleet)
	_, err := ex.Run(context.Background(), mistaken, approved.Fingerprint())
	fmt.Println(errors.Is(err, rollout.ErrFingerprint), fleet.versions())
	// Output:
	// true [v1×5]
}

// Mews, 2019: a shared-code change broke a dependent product's start-up.
// The smoke gate fails within its deadline, with diagnostics, and the
// canary is rolled back before any other site sees the version.
func Example_startupSmoke() {
	fleet := newSites("v1", siteNames(10)...)
	probe := func(ctx context.Context, site string) error {
		if v, _ := fleet.Version(ctx, site); v == "v2" {
			return errors.New("startup: TypeError: n is not a function")
		}
		return nil
	}
	diagnose := func(ctx context.Context, site string) string { return "boot.log: minifier removed registerHandlers" }
	smoke := rollout.Smoke{Within: 100 * time.Millisecond, Probe: probe, Diagnose: diagnose, DiagnoseWithin: time.Second}
	plan, _ := rollout.NewPlan("v2", siteNames(10), rollout.Gates(smoke.Gate()))
	ex, _ := rollout.New(fleet)
	report, err := ex.Run(context.Background(), plan, plan.Fingerprint())
	var unhealthy *rollout.TargetError
	errors.As(err, &unhealthy)
	fmt.Println(report.Outcome, errors.Is(err, rollout.ErrRolledBack), fleet.versions())
	fmt.Println(unhealthy.Op, unhealthy.Target, errors.Unwrap(unhealthy.Err))
	fmt.Println(unhealthy.Diagnostics)
	// Output:
	// rolled back true [v1×10]
	// smoke site1 startup: TypeError: n is not a function
	// boot.log: minifier removed registerHandlers
}

// The canary wave rehearses its rollback: a rollback that silently does
// nothing is found before wave 2, and the canary is reported.
func Example_rehearsal() {
	fleet := newSites("v1", siteNames(10)...)
	fleet.brokenRollback = true
	plan, _ := rollout.NewPlan("v2", siteNames(10),
		rollout.Gates(rollout.Gate{Name: "health", Deadline: time.Second, Check: errorRate}))
	ex, _ := rollout.New(fleet)
	report, err := ex.Run(context.Background(), plan, plan.Fingerprint())
	fmt.Println(report.Outcome)
	fmt.Println(errors.Is(err, rollout.ErrRehearsal), unknown(report), fleet.versions())
	// Output:
	// stopped: rollback rehearsal failed
	// true [site1] [v1×9 v2×1]
}

// A rollout whose process stopped is resumed from its file journal; no site
// is deployed twice.
func ExampleExecutor_Resume() {
	dir, _ := os.MkdirTemp("", "rollout-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "v2.journal")

	fleet := newSites("v1", siteNames(5)...)
	plan, _ := rollout.NewPlan("v2", siteNames(5), rollout.NoRehearsal(),
		rollout.Gates(rollout.Gate{Name: "health", Deadline: time.Second, Check: errorRate}))

	ctx, stop := context.WithCancel(context.Background())
	ex, _ := rollout.New(fleet, rollout.FileJournal(path), rollout.OnEvent(func(e rollout.Event) {
		if e.Kind == "wave passed" {
			stop() // the operator interrupts after the canary wave
		}
	}))
	report, _ := ex.Run(ctx, plan, plan.Fingerprint())
	fmt.Println(report.Outcome, fleet.versions())

	ex2, _ := rollout.New(fleet, rollout.FileJournal(path)) // later, in a new process
	report, err := ex2.Resume(context.Background(), plan, plan.Fingerprint())
	fmt.Println(report.Outcome, err, fleet.versions())
	// Output:
	// interrupted [v1×4 v2×1]
	// succeeded <nil> [v2×5]
}

// wrongSelector is a deploy tool whose Deploy for site2 also upgrades
// site9, a site outside the plan; it can list every site (a census).
type wrongSelector struct{ *sites }

func (w wrongSelector) Deploy(ctx context.Context, site, version string) error {
	if site == "site2" {
		_ = w.sites.Deploy(ctx, "site9", version)
	}
	return w.sites.Deploy(ctx, site, version)
}

func (w wrongSelector) Census(_ context.Context, add func(site, version string)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for s, v := range w.cur {
		add(s, v)
	}
	return nil
}

// Productsup, the deploy tool's own mistake: a census finds the site
// outside the plan that changed; the rollout stops, rolls back, and with
// PutBack returns that site to its recorded version.
func Example_offPlanChange() {
	fleet := wrongSelector{newSites("v1", siteNames(9)...)}
	plan, _ := rollout.NewPlan("v2", siteNames(4), rollout.PutBack(),
		rollout.Gates(rollout.Gate{Name: "health", Deadline: time.Second, Check: errorRate}))
	ex, _ := rollout.New(fleet)
	report, err := ex.Run(context.Background(), plan, plan.Fingerprint())
	var off *rollout.OffPlanError
	fmt.Println(errors.Is(err, rollout.ErrOffPlan), errors.As(err, &off), off.Target, off.Before, off.Version)
	last := report.Targets[len(report.Targets)-1]
	fmt.Println(report.Outcome, last.Target, last.State, last.PutBack, fleet.versions())
	// Output:
	// true true site9 v1 v2
	// rolled back site9 off-plan change true [v1×9]
}

// Snapshot each wave's tenants before it deploys and check them after (the
// Productsup lesson), with Hooks; snapshots stands in for snapshot.Take and
// snapshot.Check, keyed by the hook's id, which is the same after a crash.
func ExampleHooks() {
	snapshots := map[string][]string{} // id → tenants, as snapshot.Take would keep them
	before := func(ctx context.Context, in rollout.HookInput) error {
		snapshots[in.ID] = in.Targets // snapshot.Take(ctx, src, store, sel, snapshot.ID(in.ID))
		return nil
	}
	after := func(ctx context.Context, in rollout.HookInput) error {
		id := strings.Replace(in.ID, "-after", "-before", 1)
		if len(snapshots[id]) != len(in.Targets) { // snapshot.Check(ctx, src, m, …)
			return fmt.Errorf("wave %d: no snapshot %s", in.Wave, id)
		}
		fmt.Printf("wave %d: %d tenants snapshotted and checked\n", in.Wave, len(in.Targets))
		return nil
	}
	fleet := newSites("v1", siteNames(10)...)
	plan, _ := rollout.NewPlan("v2", siteNames(10), rollout.Gates(rollout.Gate{Name: "error-rate", Deadline: 30 * time.Second, Check: errorRate}))
	ex, _ := rollout.New(fleet, rollout.Hooks(before, after))
	_, err := ex.Run(context.Background(), plan, plan.Fingerprint())
	fmt.Println(err, fleet.versions())
	// Output:
	// wave 1: 1 tenants snapshotted and checked
	// wave 2: 4 tenants snapshotted and checked
	// wave 3: 5 tenants snapshotted and checked
	// <nil> [v2×10]
}
