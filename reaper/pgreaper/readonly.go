package pgreaper

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
	"github.com/deploysafe/deploysafe/reaper"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ReadOnly returns the ledger of the reaper called name for reading only,
// as an operator's tool needs it (deploysafe reaper status): it creates no
// table and takes no lock, so looking at a mistyped name or the wrong
// database changes nothing. Load returns (nil, nil) when the database
// holds no ledger of that name, tables or not; Now reads the database's
// clock as Open's ledger does; Store always fails. Like Open, it refuses a
// database whose schema is newer than this package.
func ReadOnly(ctx context.Context, pool *pgxpool.Pool, name string) (reaper.Ledger, error) {
	if pool == nil {
		return nil, errors.New("pgreaper: ReadOnly: nil pool")
	}
	if name == "" {
		return nil, errors.New("pgreaper: ReadOnly: empty reaper name")
	}
	cc := pool.Config().ConnConfig
	st := &store{pool: pool, name: name, label: clip.String(name), server: net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port))), key: lockKey(name)}
	var v int
	err := pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM reaper_schema").Scan(&v)
	if missingTable(err) {
		return (*readOnly)(st), nil // nothing created yet: no version to check
	}
	if err != nil {
		return nil, st.fail("read the schema version", err)
	}
	if v > schemaVersion {
		return nil, fmt.Errorf("pgreaper: the database on %s holds reaper schema version %d, newer than this build's %d: "+
			"upgrade deploysafe to read it", st.server, v, schemaVersion)
	}
	return (*readOnly)(st), nil
}

// readOnly is a ledger that only reads.
type readOnly store

// Load returns the reaper's ledger, or nil when there is none (no row, or
// no table: nothing has been created in this database).
func (r *readOnly) Load(ctx context.Context) ([]byte, error) {
	b, err := (*ledger)(r).Load(ctx)
	if missingTable(err) {
		return nil, nil
	}
	return b, err
}

// Store refuses: the ledger was opened read-only.
func (r *readOnly) Store(context.Context, []byte) error {
	return fmt.Errorf("pgreaper: ledger %s opened read-only (ReadOnly): not stored", r.label)
}

// Now reads the database's clock, as Open's ledger does.
func (r *readOnly) Now(ctx context.Context) (time.Time, error) { return (*ledger)(r).Now(ctx) }

// missingTable reports an error of a statement on a table that does not
// exist (SQLSTATE 42P01, undefined_table).
func missingTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P01"
}
