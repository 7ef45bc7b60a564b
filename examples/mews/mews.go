// Package mews replays Mews, 20 May 2019: a small addition to a shared
// module, made for Commander, also released Distributor, whose minified
// start-up code it broke. QA checked Commander, because the task was about
// Commander; Distributor crashed before its error reporting started, so
// nothing reported it.
//
// With deploysafe the release pipeline asks rollout/affected which products
// the change releases, refuses to go on while one has no smoke check, and
// ships each product through a rollout whose smoke gate stops the canary.
package mews

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/affected"
)

const (
	commander   = "mews/cmd/commander"
	distributor = "mews/cmd/distributor"
	crash       = "TypeError: e.registerHandlers is not a function"
)

// monorepo is the dependency graph of the web products: both products
// import the shared module. In a Go repository affected.GoList builds it.
func monorepo() (*affected.Graph, error) {
	var g affected.Graph
	steps := []error{
		g.SetRoot("/src/mews"),
		g.Add("mews/internal/shared"),
		g.Add("mews/internal/billing"),
		g.AddProduct(commander, "mews/internal/shared", "mews/internal/billing"),
		g.AddProduct(distributor, "mews/internal/shared"),
		g.SetDir("mews/internal/shared", "internal/shared"),
		g.SetDir("mews/internal/billing", "internal/billing"),
		g.SetDir(commander, "cmd/commander"),
		g.SetDir(distributor, "cmd/distributor"),
	}
	return &g, errors.Join(steps...)
}

// The change under review: a Commander feature and a helper in shared code.
var change = &affected.Changes{Files: []string{"cmd/commander/reservations.go", "internal/shared/names.go"}}

// Replay runs the release without and with deploysafe.
func Replay(ctx context.Context, env replay.Env) (replay.Outcome, error) {
	g, err := monorepo()
	if err != nil {
		return replay.Outcome{}, err
	}

	// Without: the task names Commander, so QA checks Commander; the build
	// releases every product the shared change touches, all instances at once.
	fleet := newFleet("v41", 6)
	env.Logf("QA checks %s (the task's product): ok", commander)
	for _, in := range fleet.names() {
		_ = fleet.Deploy(ctx, in, "v42")
	}
	crashed, reports := fleet.crashed(), 0 // start-up died before error reporting began
	env.Printf("without: distributor v42 on %d/%d instances, %d crashing at start-up, %d error reports",
		fleet.count("v42"), len(fleet.names()), crashed, reports)
	without := fmt.Sprintf("unchecked Distributor: %d/%d down", crashed, len(fleet.names()))

	// With, step 1: which products does this change release, and why?
	impacts, err := affected.Products(g, change)
	if err != nil {
		return replay.Outcome{}, err
	}
	for _, im := range impacts {
		env.Logf("affected: %s", im)
	}
	smokeChecks := map[string]func(context.Context, string) error{commander: healthz(nil)}
	gap := affected.RequireChecks(impacts, smokeChecks)
	var missing *affected.MissingChecksError
	flagged := errors.As(gap, &missing) && len(missing.Products) == 1 && missing.Products[0] == distributor
	if flagged {
		env.Logf("RequireChecks: no smoke check for %v: the release stops here", missing.Products)
	}

	// With, step 2: the team adds Distributor's smoke check and ships it
	// through a rollout; the canary instance does not start, and is rolled
	// back before any other instance gets v42.
	fleet = newFleet("v41", 6)
	smokeChecks[distributor] = healthz(fleet)
	if err := affected.RequireChecks(impacts, smokeChecks); err != nil {
		return replay.Outcome{}, fmt.Errorf("checks still missing: %w", err)
	}
	smoke := rollout.Smoke{Within: 300 * time.Millisecond, Probe: smokeChecks[distributor],
		Every: 10 * time.Millisecond, Diagnose: fleet.bootLog, DiagnoseWithin: 100 * time.Millisecond}
	plan, err := rollout.NewPlan("v42", fleet.names(), rollout.Gates(smoke.Gate()))
	if err != nil {
		return replay.Outcome{}, err
	}
	env.Logf("plan %s…: %d instances in %d waves, smoke gate on every wave", plan.Fingerprint()[:12], len(fleet.names()), len(plan.Waves()))
	ex, err := rollout.New(fleet, rollout.OnEvent(func(e rollout.Event) {
		if e.Kind == "deploy" || e.Kind == "rolled back" {
			env.Logf("rollout: %s %s", e.Kind, e.Target)
		}
	}))
	if err != nil {
		return replay.Outcome{}, err
	}
	report, err := ex.Run(ctx, plan, plan.Fingerprint())
	var smokeErr *rollout.TargetError
	stopped := errors.Is(err, rollout.ErrRolledBack) && errors.As(err, &smokeErr) && smokeErr.Op == "smoke" && fleet.count("v42") == 0
	if stopped {
		env.Logf("smoke: %s: %v; diagnostics: %s", smokeErr.Target, errors.Unwrap(smokeErr.Err), smokeErr.Diagnostics)
	} else if err != nil {
		env.Logf("rollout: %v", err)
	}
	outcome := "refused"
	if report != nil {
		outcome = string(report.Outcome)
	}
	step1, step2 := "Distributor unchecked", "canary failed smoke"
	if !flagged {
		step1 = fmt.Sprintf("RequireChecks: %v", gap)
	}
	if !stopped {
		step2 = fmt.Sprintf("rollout: %v", err)
	}
	env.Printf("with:    %s: release stopped; with a check, %s: %s, %d/%d on v41",
		step1, step2, outcome, fleet.count("v41"), len(fleet.names()))

	return replay.Outcome{Without: without, With: step1 + "; " + step2, Caught: flagged && stopped}, nil
}

// healthz is the smoke probe: the instance must answer its health check.
// A nil fleet stands for Commander, which starts fine.
func healthz(f *fleet) func(ctx context.Context, instance string) error {
	return func(ctx context.Context, instance string) error {
		if f == nil {
			return nil
		}
		if v, _ := f.Version(ctx, instance); v == "v42" {
			return errors.New("GET /healthz: connection refused (process exited)")
		}
		return nil
	}
}
