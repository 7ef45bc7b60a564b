package pgreaper

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"strconv"

	"github.com/deploysafe/deploysafe/internal/clip"
	"github.com/deploysafe/deploysafe/reaper"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// schemaVersion is the version of the tables this package reads and writes.
const schemaVersion = 1

// schemaLock serialises replicas creating the schema at the same time.
const schemaLock = int64(0x7265617065727363) // "reapersc"

// Open returns the ledger and the lease of the reaper called name, in the
// database of pool, creating the schema if needed. Every replica of one
// reaper opens the same name; different reapers use different names. The
// pool stays the caller's: close it after the last sweep.
func Open(ctx context.Context, pool *pgxpool.Pool, name string) (reaper.Ledger, reaper.Lease, error) {
	if pool == nil {
		return nil, nil, errors.New("pgreaper: Open: nil pool")
	}
	if name == "" {
		return nil, nil, errors.New("pgreaper: Open: empty reaper name")
	}
	cc := pool.Config().ConnConfig
	st := &store{pool: pool, name: name, label: clip.String(name), server: net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port))), key: lockKey(name)}
	if err := st.migrate(ctx); err != nil {
		return nil, nil, err
	}
	return (*ledger)(st), (*lease)(st), nil
}

// lockKey derives the advisory-lock key of a reaper name (64-bit FNV-1a),
// so that replicas configured with the same name contend for one lock.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("deploysafe/reaper/" + name))
	return int64(h.Sum64())
}

// fail wraps err with what failed and the server, never its password
// (pgx's own messages name host, user and database only).
func (s *store) fail(what string, err error) error {
	return fmt.Errorf("pgreaper: %s on %s: %w", what, s.server, err)
}

const createSQL = `
CREATE TABLE IF NOT EXISTS reaper_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS reaper_ledger (
	name      text PRIMARY KEY,
	blob      bytea NOT NULL,
	stored_at timestamptz NOT NULL
);`

// migrate creates the tables if they are missing and checks their version.
func (s *store) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", schemaLock); err != nil {
			return s.fail("lock the schema", err)
		}
		if _, err := tx.Exec(ctx, createSQL); err != nil {
			return s.fail("create the schema", err)
		}
		var v int // 0: the tables were just created
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM reaper_schema").Scan(&v); err != nil {
			return s.fail("read the schema version", err)
		}
		switch {
		case v == 0:
			if _, err := tx.Exec(ctx, "INSERT INTO reaper_schema (version) VALUES ($1)", schemaVersion); err != nil {
				return s.fail("record the schema version", err)
			}
		case v > schemaVersion:
			return fmt.Errorf("pgreaper: the database on %s holds reaper schema version %d, newer than this build's %d: "+
				"upgrade deploysafe on every replica (an older build would misread it)", s.server, v, schemaVersion)
		}
		return nil
	})
}
