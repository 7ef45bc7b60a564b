package pgjournal_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/pgjournal"
	"github.com/jackc/pgx/v5/pgxpool"
)

// memFleet is an instant deployer.
type memFleet struct {
	mu  sync.Mutex
	cur map[string]string
}

func (m *memFleet) Deploy(_ context.Context, t, v string) error {
	m.mu.Lock()
	m.cur[t] = v
	m.mu.Unlock()
	return nil
}
func (m *memFleet) Rollback(context.Context, string) error { return nil }
func (m *memFleet) Version(_ context.Context, t string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur[t], nil
}

// BenchmarkJournalAppend runs one rollout of 200 targets (instant deployer,
// so the journal dominates) with the FileJournal and with PostgreSQL,
// alternating, and reports the time per journal record.
func BenchmarkJournalAppend(b *testing.B) {
	pool, err := pgxpool.New(context.Background(), schemaDSN(b))
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	ts := make([]string, 200)
	for i := range ts {
		ts[i] = fmt.Sprintf("site%03d", i)
	}
	gate := rollout.Gate{Name: "g", Deadline: time.Second, Check: func(context.Context, rollout.GateInput) error { return nil }}
	p, err := rollout.NewPlan("v2", ts, rollout.Gates(gate), rollout.NoRehearsal(), rollout.Settle(0))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var records int
	for _, store := range []string{"file", "postgres", "file", "postgres"} {
		b.Run(store, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f := &memFleet{cur: map[string]string{}}
				var opt rollout.Option
				var j *pgjournal.Journal
				if store == "file" {
					opt = rollout.FileJournal(filepath.Join(b.TempDir(), "j"))
				} else {
					j, err = pgjournal.Open(ctx, pool, fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i))
					if err != nil {
						b.Fatal(err)
					}
					opt = rollout.Journal(j)
				}
				ex, _ := rollout.New(f, opt, rollout.Concurrency(1))
				b.StartTimer()
				if _, err := ex.Run(ctx, p, p.Fingerprint()); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if j != nil {
					recs, _ := j.Load(ctx)
					records = len(recs)
					j.Close()
				}
				b.StartTimer()
			}
			if records > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*records), "ns/record")
			}
		})
	}
}
