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
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// lease is a reaper.Lease: a session-level advisory lock on a connection
// taken out of the pool for as long as it is held.
type lease store

// errReleased is returned by Check when the lease is not held.
var errReleased = errors.New("pgreaper: lease not held")

// Acquire takes a connection of its own and tries the lock without
// waiting. It returns an error wrapping reaper.ErrLeaseHeld when another
// session holds it.
func (l *lease) Acquire(ctx context.Context) error {
	s := (*store)(l)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		return fmt.Errorf("pgreaper: lease %s: already held by this process: %w", s.label, reaper.ErrLeaseHeld)
	}
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return s.fail("connect for lease "+s.label, err)
	}
	conn := pc.Hijack() // the lock dies with this connection, never returns to the pool
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", s.key).Scan(&ok); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return s.fail("lock lease "+s.label, err)
	}
	if !ok {
		conn.Close(context.WithoutCancel(ctx))
		return fmt.Errorf("pgreaper: lease %s on %s: %w", s.label, s.server, reaper.ErrLeaseHeld)
	}
	s.conn = conn
	return nil
}

// checkSQL asks whether this session still holds the lock. A bigint
// advisory key is stored as classid (high 32 bits), objid (low 32 bits),
// objsubid 1.
const checkSQL = `SELECT EXISTS (SELECT 1 FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
   AND ((classid::bigint << 32) | objid::bigint) = $1)`

// Check round-trips to the server on the lock's connection and confirms the
// lock is still this session's. Any failure means the lease is lost.
func (l *lease) Check(ctx context.Context) error {
	s := (*store)(l)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return errReleased
	}
	var ok bool
	if err := s.conn.QueryRow(ctx, checkSQL, s.key).Scan(&ok); err != nil {
		return s.fail("check lease "+s.label, err)
	}
	if !ok {
		return fmt.Errorf("pgreaper: lease %s on %s no longer held by this session", s.label, s.server)
	}
	return nil
}

// Release unlocks and closes the lock's connection. Closing alone would
// release the lock too; unlocking first makes it immediate for the next
// replica.
func (l *lease) Release(ctx context.Context) error {
	s := (*store)(l)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	conn := s.conn
	s.conn = nil
	_, uerr := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", s.key)
	return errors.Join(uerr, conn.Close(ctx))
}

// holderSQL finds the session holding a reaper's advisory lock, and what
// pg_stat_activity says of it.
const holderSQL = `SELECT l.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local'), a.backend_start
 FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND ((l.classid::bigint << 32) | l.objid::bigint) = $1
 LIMIT 1`

// Holder describes the session that holds the lease of the reaper called
// name, in the database of pool: "pid 4242 (application api, client
// 10.0.0.3, connected 2026-12-07T13:00:00Z)"; "" when no session holds
// it. It only reads: it creates no table and takes no lock.
func Holder(ctx context.Context, pool *pgxpool.Pool, name string) (string, error) {
	if pool == nil || name == "" {
		return "", errors.New("pgreaper: Holder: nil pool or empty reaper name")
	}
	var (
		pid         int
		app, client string
		since       *time.Time
	)
	err := pool.QueryRow(ctx, holderSQL, lockKey(name)).Scan(&pid, &app, &client, &since)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		cc := pool.Config().ConnConfig
		return "", fmt.Errorf("pgreaper: read the lease holder of %s on %s: %w", clip.String(name), net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port))), err)
	}
	desc := fmt.Sprintf("pid %d (", pid)
	if app != "" {
		desc += "application " + clip.String(app) + ", "
	}
	desc += "client " + client
	if since != nil {
		desc += ", connected " + since.UTC().Format(time.RFC3339)
	}
	return desc + ")", nil
}
