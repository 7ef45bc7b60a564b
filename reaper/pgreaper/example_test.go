package pgreaper_test

import (
	"context"
	"log"
	"os"

	"github.com/deploysafe/deploysafe/reaper"
	"github.com/deploysafe/deploysafe/reaper/pgreaper"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Every replica of the service runs the same code: one of them sweeps at a
// time, all from the same ledger, on the database's clock.
func ExampleOpen() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ledger, lease, err := pgreaper.Open(ctx, pool, "servos")
	if err != nil {
		log.Fatal(err)
	}
	inv, observers := fleet()
	r, err := reaper.New(inv, observers, &dep{}, ledger, reaper.Elect(lease), reaper.Act(reaper.Delete, 3))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := r.Sweep(ctx); err != nil {
		log.Print(err) // ErrLeaseHeld on every replica but one
	}
}
