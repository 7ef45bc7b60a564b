// Package productsup replays Productsup, 18 November 2020: a Platform API
// deploy meant for a group of heavy sites upgraded other sites too, by human
// error. They were reverted within 35 minutes, but every one of them that
// ran an import meanwhile lost products, and the data took until 22:20 to
// restore by hand.
//
// With deploysafe the deploy is a rollout.Plan whose targets are an approved
// allowlist, so a plan with other sites is refused before anything is
// deployed; and a snapshot taken before the deploy lets snapshot.Check find
// the damaged sites when a deploy gets past the plan anyway, and
// snapshot.Restore put back exactly those, verified against the snapshot.
package productsup

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/snapshot"
)

// Replay runs the deploy without and with deploysafe.
func Replay(ctx context.Context, env replay.Env) (replay.Outcome, error) {
	without, err := replayWithout(ctx, env)
	if err != nil {
		return replay.Outcome{}, err
	}
	p, err := openPlatform(env.TempDir, "with.db")
	if err != nil {
		return replay.Outcome{}, err
	}
	defer p.Close()
	store, err := snapshot.NewDirStore(filepath.Join(env.TempDir, "snapshots"))
	if err != nil {
		return replay.Outcome{}, err
	}

	// Before any deploy: snapshot every site the deploy could touch.
	bar := env.Progress("snapshot")
	m, err := snapshot.Take(ctx, p.src, store, partitions(monitored), snapshot.ID("pre-platform-api-v2"),
		snapshot.OnProgress(progress(bar)))
	if err != nil {
		return replay.Outcome{}, err
	}
	bar.Done(fmt.Sprintf("%s: %d sites, %d products, %d KB stored in %s",
		m.ID, len(m.Partitions), m.Rows, m.StoredBytes/1024, m.Duration.Round(time.Millisecond)))

	// Half 1: the deploy as a rollout. Every wave's gate runs the imports
	// and checks that no site lost products.
	productCounts := rollout.Gate{Name: "product-counts", Deadline: 10 * time.Second,
		Check: func(ctx context.Context, _ rollout.GateInput) error {
			if err := p.runImports(ctx); err != nil {
				return err
			}
			vs, err := snapshot.Check(ctx, p.src, m, snapshot.RowCountDrop(0.05))
			if err == nil && len(vs) > 0 {
				err = errors.New(vs[0].String())
			}
			return err
		}}
	approved, err := rollout.NewPlan("v2", heavy, rollout.Gates(productCounts))
	if err != nil {
		return replay.Outcome{}, err
	}
	fingerprint := approved.Fingerprint() // what the reviewer approved, after reading the preview
	env.Logf("approved plan: %s", strings.Join(strings.SplitN(approved.String(), "\n", 3)[:2], "; "))

	// The deploy script is started, by mistake, on the monitored list.
	mistaken, err := rollout.NewPlan("v2", monitored, rollout.Gates(productCounts))
	if err != nil {
		return replay.Outcome{}, err
	}
	ex, err := rollout.New(p.api)
	if err != nil {
		return replay.Outcome{}, err
	}
	_, err = ex.Run(ctx, mistaken, fingerprint)
	offPlanDeploys := p.api.deploys
	refused := errors.Is(err, rollout.ErrFingerprint) && offPlanDeploys == 0
	changes := mistaken.Changes(approved) // what the reviewer did not approve
	env.Logf("mistaken plan refused: %v\n      changes: %s", err, strings.Join(changes, "; "))
	notApproved, _, _ := strings.Cut(changes[0], ":")
	report, err := ex.Run(ctx, approved, fingerprint)
	if err != nil {
		return replay.Outcome{}, fmt.Errorf("approved rollout: %w", err)
	}
	onV2 := p.api.on("v2")
	env.Printf("with:    rollout refused the %d-site plan (%s, %d deploys); approved plan: %v",
		len(monitored), notApproved, offPlanDeploys, report.Outcome)

	// Half 2: suppose the upgrade reaches the other sites anyway, by hand,
	// outside rollout, and they run their imports.
	for _, s := range others {
		if err := p.api.Deploy(ctx, s, "v2"); err != nil {
			return replay.Outcome{}, err
		}
	}
	if err := p.runImports(ctx); err != nil {
		return replay.Outcome{}, err
	}
	violations, err := snapshot.Check(ctx, p.src, m, snapshot.RowCountDrop(0.05))
	if err != nil {
		return replay.Outcome{}, err
	}
	var damaged []snapshot.Partition
	for _, v := range violations {
		env.Logf("%s", v)
		damaged = append(damaged, v.Partition)
	}
	for _, s := range others { // revert the code first, as at 13:15
		if err := p.api.Rollback(ctx, s); err != nil {
			return replay.Outcome{}, err
		}
	}
	bar = env.Progress("restore")
	res, err := snapshot.Restore(ctx, p.src, store, m, damaged,
		snapshot.OnProgress(progress(bar)))
	if err != nil {
		return replay.Outcome{}, err
	}
	bar.Done(fmt.Sprintf("%d damaged sites restored, each verified against the snapshot digest", len(res.Restored)))

	// Verified: every site is exactly as snapshotted, heavy sites included.
	after, err := snapshot.Check(ctx, p.src, m, snapshot.Unchanged(m.Selection()...))
	if err != nil {
		return replay.Outcome{}, err
	}
	exact := slices.Equal(keys(damaged), others) && len(res.Restored) == len(others) && len(after) == 0
	which := "exactly the off-plan ones"
	if !slices.Equal(keys(damaged), others) {
		which = fmt.Sprintf("NOT the %d off-plan ones", len(others))
	}
	env.Printf("with:    snapshot.Check: %d sites dropped >5%%, %s; after restore: %d differ",
		len(damaged), which, len(after))

	with := "plan refused"
	if !refused || !slices.Equal(onV2, heavy) {
		with = fmt.Sprintf("plan NOT refused: %d deploys, %v on v2", offPlanDeploys, onV2)
	}
	if exact {
		with += fmt.Sprintf("; %d sites restored exactly", len(res.Restored))
	} else {
		with += fmt.Sprintf("; restored %v, %d still differ", keys(damaged), len(after))
	}
	_, _, toolCaught, err := replayWrongSelector(ctx, env)
	if err != nil {
		return replay.Outcome{}, err
	}
	if !toolCaught {
		with += "; wrong-selector tool NOT caught"
	}
	return replay.Outcome{Without: without, With: with, Caught: refused && slices.Equal(onV2, heavy) && exact && toolCaught}, nil
}

// replayWithout is the deploy as it happened: the script runs on the
// monitored list, imports run, the off-plan sites are reverted at 13:15,
// and their products stay lost.
func replayWithout(ctx context.Context, env replay.Env) (string, error) {
	p, err := openPlatform(env.TempDir, "without.db")
	if err != nil {
		return "", err
	}
	defer p.Close()
	before, err := p.counts(ctx, others)
	if err != nil {
		return "", err
	}
	for _, s := range monitored { // 12:40: meant to be the heavy group
		if err := p.api.Deploy(ctx, s, "v2"); err != nil {
			return "", err
		}
	}
	if err := p.runImports(ctx); err != nil {
		return "", err
	}
	var reverted []string
	for _, s := range p.api.on("v2") { // 13:15: the off-plan sites are reverted
		if !slices.Contains(heavy, s) {
			reverted = append(reverted, s)
			if err := p.api.Rollback(ctx, s); err != nil {
				return "", err
			}
		}
	}
	after, err := p.counts(ctx, others)
	if err != nil {
		return "", err
	}
	if after >= before {
		return "", errors.New("the incident did not reproduce")
	}
	env.Printf("without: reached %d off-plan sites; reverted at 13:15, their products still fell %d → %d (-%d%%)",
		len(reverted), before, after, 100*(before-after)/before)
	return fmt.Sprintf("%d wrong sites hit, -%d%% products", len(reverted), 100*(before-after)/before), nil
}

func keys(ps []snapshot.Partition) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Key
	}
	return out
}

// progress draws snapshot progress events on bar.
func progress(bar *replay.Progress) func(snapshot.Progress) {
	return func(e snapshot.Progress) {
		if e.Stage != "started" {
			bar.Update(e.Finished, e.Total, e.Partition.String())
		}
	}
}
