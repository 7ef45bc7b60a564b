package pgjournal

import (
	"context"
	"errors"
	"fmt"

	"github.com/deploysafe/deploysafe/rollout"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Inspect reads the journal of the rollout called name without taking its
// lease, creating no table: the rollout's state as rollout.Inspect reports
// it (nil when the database holds no record of it), and whether a live
// executor holds the lease now.
func Inspect(ctx context.Context, pool *pgxpool.Pool, name string) (rep *rollout.Report, held bool, err error) {
	if pool == nil || name == "" {
		return nil, false, fmt.Errorf("%w: pgjournal: Inspect: nil pool or empty rollout name", rollout.ErrJournal)
	}
	where := place(pool)
	cctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	conn, err := pool.Acquire(cctx)
	if err != nil {
		return nil, false, fmt.Errorf("%w: pgjournal: connect to %s: %s", rollout.ErrJournal, where, redact(err, pool.Config().ConnConfig.Password))
	}
	defer conn.Release()
	fail := func(op string, err error) error {
		return fmt.Errorf("%w: pgjournal: %s on %s for rollout %q: %s", rollout.ErrJournal, op, where, name, redact(err, pool.Config().ConnConfig.Password))
	}
	if err := conn.QueryRow(cctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND ((classid::bigint << 32) | objid::bigint) = $1)`, lockKey(name)).Scan(&held); err != nil {
		return nil, false, fail("read the lease", err)
	}
	var exists bool
	if err := conn.QueryRow(cctx, `SELECT to_regclass('deploysafe_rollout_journal') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, held, fail("find the journal", err)
	}
	if !exists {
		return nil, held, nil
	}
	rows, err := conn.Query(cctx, `SELECT rec FROM deploysafe_rollout_journal WHERE rollout = $1 ORDER BY seq`, name)
	if err != nil {
		return nil, held, fail("load", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, held, fail("load", err)
	}
	rep, err = rollout.Inspect(ctx, records(recs))
	return rep, held, err
}

// records is a read-only JournalStore of records already loaded.
type records [][]byte

func (r records) Load(context.Context) ([][]byte, error) { return r, nil }
func (records) Append(context.Context, []byte) error {
	return errors.New("pgjournal: Inspect is read-only")
}
