package pgjournal

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// schemaVersion is the version of the tables this package writes.
const schemaVersion = 1

// statementTimeout bounds every statement.
const statementTimeout = 10 * time.Second

// Journal is a rollout.JournalStore in PostgreSQL that holds the lease of
// one rollout. It is safe for concurrent use.
type Journal struct {
	mu    sync.Mutex
	conn  *pgx.Conn // dedicated: it holds the lease
	name  string
	where string // "user@host:port/db", for errors
	next  int64  // sequence of the next record
	gen   int64  // the lease's generation: the fencing token
	lost  error  // set once the connection failed: the lease may be gone
}

var (
	_ rollout.JournalStore = (*Journal)(nil)
	// The executor's lease interface (unexported in rollout: any store
	// with this method has one).
	_ interface {
		Check(ctx context.Context) (now time.Time, token int64, err error)
	} = (*Journal)(nil)
)

// ErrLeaseHeld: Open found the rollout's lease held by another live
// executor (another Journal's connection), as opposed to a journal that
// holds an unfinished rollout, which Run reports. errors.Is(err,
// rollout.ErrInProgress) is true for it too: both mean "not now, not here".
var ErrLeaseHeld error = leaseHeld{}

type leaseHeld struct{}

func (leaseHeld) Error() string { return "pgjournal: lease held by another executor" }

// Is makes ErrLeaseHeld match rollout.ErrInProgress.
func (leaseHeld) Is(target error) bool { return target == rollout.ErrInProgress }

// Open takes a connection of its own out of pool (it never returns there:
// it holds the lease), creates or checks the schema, and takes the lease
// of the rollout called name. It fails with an error wrapping
// ErrLeaseHeld (and so rollout.ErrInProgress) when another executor holds
// the lease, and wrapping rollout.ErrJournal when the database cannot be
// reached or its schema is newer than this package. The pool is the
// caller's, as in package reaper/pgreaper: its search_path chooses the
// schema.
func Open(ctx context.Context, pool *pgxpool.Pool, name string) (*Journal, error) {
	if pool == nil || name == "" {
		return nil, fmt.Errorf("%w: pgjournal: Open: nil pool or empty rollout name", rollout.ErrJournal)
	}
	where := place(pool)
	cctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	pc, err := pool.Acquire(cctx)
	if err != nil {
		return nil, fmt.Errorf("%w: pgjournal: connect to %s: %s", rollout.ErrJournal, where, redact(err, pool.Config().ConnConfig.Password))
	}
	conn := pc.Hijack() // the lease dies with this connection, so it never goes back to the pool
	j := &Journal{conn: conn, name: name, where: where}
	if err := j.open(ctx); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return j, nil
}

// place names a pool's database for errors: "user@host:port/db".
func place(pool *pgxpool.Pool) string {
	c := pool.Config().ConnConfig
	return fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

func (j *Journal) open(ctx context.Context) error {
	if err := j.schema(ctx); err != nil {
		return err
	}
	var held bool
	if err := j.row(ctx, `SELECT pg_try_advisory_lock($1)`, []any{lockKey(j.name)}, &held); err != nil {
		return err
	}
	if !held {
		return fmt.Errorf("%w: rollout %q on %s is driven by another live connection; Open again once it ends (the lease ends with that connection)", ErrLeaseHeld, j.name, j.where)
	}
	// Every holder gets a generation greater than any before it: written
	// under the lock, so two holders never get the same one.
	if err := j.row(ctx, `INSERT INTO deploysafe_rollout_lease AS l (rollout, generation) VALUES ($1, 1)
		ON CONFLICT (rollout) DO UPDATE SET generation = l.generation + 1 RETURNING generation`, []any{j.name}, &j.gen); err != nil {
		return err
	}
	return j.row(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM deploysafe_rollout_journal WHERE rollout = $1`, []any{j.name}, &j.next)
}

// Check proves that this Journal still holds the lease: a statement on the
// lease's connection succeeds only while its session, and so the session
// lock, lives (the package never unlocks it but by closing). It returns
// the database's clock_timestamp() and the lease's generation, the fencing
// token: 1 for the first Open of the rollout, one more for each Open
// after. After a failure every Check and Append fails.
func (j *Journal) Check(ctx context.Context) (time.Time, int64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.usable(); err != nil {
		return time.Time{}, 0, err
	}
	cctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	var now time.Time
	if err := j.conn.QueryRow(cctx, `SELECT clock_timestamp()`).Scan(&now); err != nil {
		j.lost = err
		return time.Time{}, 0, j.fail("check the lease", err)
	}
	return now, j.gen, nil
}

// usable refuses a Journal closed or whose connection failed.
func (j *Journal) usable() error {
	switch {
	case j.conn == nil:
		return fmt.Errorf("%w: pgjournal: rollout %q on %s: the journal is closed", rollout.ErrJournal, j.name, j.where)
	case j.lost != nil:
		return fmt.Errorf("%w: pgjournal: rollout %q on %s: the lease may be lost (%v); Open the journal again", rollout.ErrJournal, j.name, j.where, j.lost)
	}
	return nil
}

// schema creates the tables, or checks that they are not from a newer
// version. Concurrent Opens serialize on a transaction lock.
func (j *Journal) schema(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	err := pgx.BeginFunc(cctx, j.conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(cctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("deploysafe/rollout/pgjournal schema")); err != nil {
			return err
		}
		if _, err := tx.Exec(cctx, `CREATE TABLE IF NOT EXISTS deploysafe_rollout_schema (version integer NOT NULL)`); err != nil {
			return err
		}
		if _, err := tx.Exec(cctx, `CREATE TABLE IF NOT EXISTS deploysafe_rollout_journal (
			rollout text NOT NULL, seq bigint NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(),
			rec bytea NOT NULL, PRIMARY KEY (rollout, seq))`); err != nil {
			return err
		}
		// Added without a new schema version: older packages ignore it.
		if _, err := tx.Exec(cctx, `CREATE TABLE IF NOT EXISTS deploysafe_rollout_lease (
			rollout text PRIMARY KEY, generation bigint NOT NULL)`); err != nil {
			return err
		}
		var v int
		err := tx.QueryRow(cctx, `SELECT coalesce(max(version), 0) FROM deploysafe_rollout_schema`).Scan(&v)
		switch {
		case err != nil:
			return err
		case v > schemaVersion:
			return &newerSchema{found: v}
		case v == 0:
			_, err = tx.Exec(cctx, `INSERT INTO deploysafe_rollout_schema (version) VALUES ($1)`, schemaVersion)
		}
		return err
	})
	var ns *newerSchema
	switch {
	case errors.As(err, &ns):
		return fmt.Errorf("%w: pgjournal: the schema on %s is version %d, newer than this package's %d: upgrade deploysafe", rollout.ErrJournal, j.where, ns.found, schemaVersion)
	case err != nil:
		return j.fail("create schema", err)
	}
	return nil
}

type newerSchema struct{ found int }

func (e *newerSchema) Error() string { return fmt.Sprintf("schema version %d", e.found) }

// Append writes rec as the rollout's next record, on the connection that
// holds the lease: if that connection is gone, so is the lease, and Append
// fails.
func (j *Journal) Append(ctx context.Context, rec []byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.usable(); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	if _, err := j.conn.Exec(cctx, `INSERT INTO deploysafe_rollout_journal (rollout, seq, rec) VALUES ($1, $2, $3)`, j.name, j.next, rec); err != nil {
		j.lost = err
		return j.fail("append", err)
	}
	j.next++
	return nil
}

// Load returns every record of the rollout, in order.
func (j *Journal) Load(ctx context.Context) ([][]byte, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.usable(); err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	rows, err := j.conn.Query(cctx, `SELECT rec FROM deploysafe_rollout_journal WHERE rollout = $1 ORDER BY seq`, j.name)
	if err != nil {
		return nil, j.fail("load", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, j.fail("load", err)
	}
	return out, nil
}

// Close releases the lease and closes the connection.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
	defer cancel()
	err := j.conn.Close(ctx) // ending the session releases the advisory lock
	j.conn = nil
	return err
}

func (j *Journal) row(ctx context.Context, sql string, args []any, dst any) error {
	cctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	if err := j.conn.QueryRow(cctx, sql, args...).Scan(dst); err != nil {
		return j.fail("query", err)
	}
	return nil
}

func (j *Journal) fail(op string, err error) error {
	return fmt.Errorf("%w: pgjournal: %s on %s for rollout %q: %s", rollout.ErrJournal, op, j.where, j.name, redact(err, j.conn.Config().Password))
}

// redact removes the password from an error message, should a driver ever
// repeat it.
func redact(err error, password string) string {
	msg := err.Error()
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "xxxxx")
	}
	return msg
}

// lockKey derives the advisory-lock key of a name (64-bit FNV-1a).
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("deploysafe/rollout:" + name))
	return int64(h.Sum64())
}
