package productsup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/rollout"
)

// wrongSelector is the variant where the deploy tool itself is wrong: its
// selector for the heavy group also matches other sites (a copy-paste slip
// in an inventory file), so a Deploy for one heavy site upgrades others too,
// and returns nil. It can list every site it reaches (a census).
type wrongSelector struct {
	*fleet
	alsoHits map[string][]string
}

func (w *wrongSelector) Deploy(ctx context.Context, site, version string) error {
	if err := w.fleet.Deploy(ctx, site, version); err != nil {
		return err
	}
	for _, s := range w.alsoHits[site] {
		if err := w.fleet.Deploy(ctx, s, version); err != nil {
			return err
		}
	}
	return nil
}

// Census lists every site the tool reaches with the version it runs.
func (w *wrongSelector) Census(_ context.Context, add func(site, version string)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for s, v := range w.cur {
		add(s, v)
	}
	return nil
}

func newWrongSelector() *wrongSelector {
	f := &fleet{cur: map[string]string{}, prev: map[string]string{}}
	for _, s := range monitored {
		f.cur[s] = "v1"
	}
	return &wrongSelector{fleet: f, alsoHits: map[string][]string{
		"heavy-02": {"site-04", "site-05"},
		"heavy-03": {"site-06", "site-07"},
	}}
}

// offPlanOn lists the sites outside the heavy group that run version.
func offPlanOn(f *fleet, version string) []string {
	var out []string
	for _, s := range f.on(version) {
		if !slices.Contains(heavy, s) {
			out = append(out, s)
		}
	}
	return out
}

// replayWrongSelector runs the deploy tool with the wrong selector without
// and with deploysafe. Without: every Deploy returns nil, success is
// reported, and four sites outside the group run v2. With: the census after
// the first wave that moved any catches them; the rollout stops there,
// rolls back and puts them back.
func replayWrongSelector(ctx context.Context, env replay.Env) (without, with string, caught bool, err error) {
	tool := newWrongSelector()
	for _, s := range heavy {
		if err := tool.Deploy(ctx, s, "v2"); err != nil {
			return "", "", false, err
		}
	}
	wrong := offPlanOn(tool.fleet, "v2")
	if len(wrong) == 0 {
		return "", "", false, errors.New("the wrong-selector variant did not reproduce")
	}
	without = fmt.Sprintf("tool reported success; %d sites outside the group on v2", len(wrong))
	env.Printf("without: (the tool's own selector is wrong) every Deploy returned nil, success reported; on v2 outside the group: %s", strings.Join(wrong, ", "))

	tool = newWrongSelector()
	gate := rollout.Gate{Name: "api", Deadline: time.Second, Check: func(context.Context, rollout.GateInput) error { return nil }}
	plan, err := rollout.NewPlan("v2", heavy, rollout.Gates(gate), rollout.PutBack())
	if err != nil {
		return "", "", false, err
	}
	ex, err := rollout.New(tool)
	if err != nil {
		return "", "", false, err
	}
	report, err := ex.Run(ctx, plan, plan.Fingerprint())
	var found []string
	for _, t := range report.Targets {
		if t.State == rollout.StateOffPlan {
			found = append(found, fmt.Sprintf("%s %s→%s put back=%v", t.Target, t.Previous, t.Now, t.PutBack))
		}
	}
	env.Logf("rollout: %v", err)
	left := offPlanOn(tool.fleet, "v2")
	caught = errors.Is(err, rollout.ErrOffPlan) && errors.Is(err, rollout.ErrRolledBack) && len(found) > 0 && len(left) == 0 &&
		len(tool.on("v2")) == 0
	with = fmt.Sprintf("census caught %d off-plan sites, put back; %d off-plan on v2", len(found), len(left))
	env.Printf("with:    the census after wave 2 caught %d off-plan sites (%s); heavy sites %s; %d off-plan sites still on v2",
		len(found), strings.Join(found, ", "), report.Outcome, len(left))
	return without, with, caught, nil
}
