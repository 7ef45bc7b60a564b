package pgreaper_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/reaper"
	"github.com/jackc/pgx/v5"
)

// clockDep records the database's clock at each action.
type clockDep struct {
	adm *pgx.Conn
	at  map[string]time.Time // "quarantine r000" → database time
}

func (d *clockDep) rec(act string, r reaper.Resource) error {
	var t time.Time
	if err := d.adm.QueryRow(context.Background(), "SELECT clock_timestamp()").Scan(&t); err != nil {
		return err
	}
	if _, dup := d.at[act+" "+r.ID]; dup {
		return errors.New("acted twice: " + act + " " + r.ID)
	}
	d.at[act+" "+r.ID] = t
	return nil
}
func (d *clockDep) Quarantine(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	return d.rec("quarantine", r)
}
func (d *clockDep) Restore(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	return d.rec("restore", r)
}
func (d *clockDep) Delete(_ context.Context, r reaper.Resource, _ reaper.Precondition) error {
	return d.rec("delete", r)
}

// Two replicas 96 hours apart share one ledger: grace and quarantine are
// still measured on the database's clock, never shortened by either.
func TestSkewedReplicasMeasureOnTheDatabaseClock(t *testing.T) {
	pool, adm := database(t)
	ctx := context.Background()
	i, o := fleet()
	const grace, window = 1500 * time.Millisecond, 1500 * time.Millisecond
	d := &clockDep{adm: adm, at: map[string]time.Time{}}
	mk := func(skew time.Duration) *reaper.Reaper {
		led, lease, err := pgreaperOpen(pool, "servos")
		if err != nil {
			t.Fatal(err)
		}
		lim := reaper.DefaultLimits()
		lim.Rate = 1e9
		r, err := reaper.New(i, o, d, led, reaper.Elect(lease), reaper.Act(reaper.Delete, 0), reaper.Grace(2, grace),
			reaper.QuarantineWindow(window), reaper.Limit(lim), reaper.Clock(func() time.Time { return time.Now().Add(skew) }))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	replicas := []*reaper.Reaper{mk(48 * time.Hour), mk(-48 * time.Hour)}
	var first time.Time
	adm.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&first)
	for n := 0; n < 200 && len(d.at) < 2; n++ {
		if _, err := replicas[n%2].Sweep(ctx); err != nil {
			t.Fatalf("sweep %d: %v", n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	q, dl := d.at["quarantine r000"], d.at["delete r000"]
	if q.IsZero() || dl.IsZero() {
		t.Fatalf("actions %v", d.at)
	}
	if q.Sub(first) < grace || dl.Sub(q) < window {
		t.Fatalf("first verdict ≥ %v, quarantine %v (%v later), delete %v later: a window was shortened",
			first, q, q.Sub(first), dl.Sub(q))
	}
}
