package pglease

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"

	"github.com/deploysafe/deploysafe/reaper"
	"github.com/jackc/pgx/v5"
)

// Lease is a reaper.Lease backed by a PostgreSQL advisory lock.
type Lease struct {
	cfg *pgx.ConnConfig
	key int64
	mu  sync.Mutex
	h   *held
}

var _ reaper.Lease = (*Lease)(nil)

// Key derives an advisory-lock key from a name (64-bit FNV-1a), so that
// replicas configured with the same name contend for the same lock.
func Key(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// New returns a lease on advisory lock key in the database dsn names. It
// parses dsn but does not connect.
func New(dsn string, key int64) (*Lease, error) {
	if dsn == "" {
		return nil, errors.New("pglease: empty DSN")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pglease: parse DSN: %w", err)
	}
	return &Lease{cfg: cfg, key: key}, nil
}

// Acquire connects and tries the lock without waiting. It returns an error
// wrapping reaper.ErrLeaseHeld when another session holds it.
func (l *Lease) Acquire(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.h != nil && !l.h.closed {
		return fmt.Errorf("pglease: advisory lock %d: already held by this process: %w", l.key, reaper.ErrLeaseHeld)
	}
	conn, err := pgx.ConnectConfig(ctx, l.cfg.Copy())
	if err != nil {
		return fmt.Errorf("pglease: connect: %w", err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", l.key).Scan(&ok); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return fmt.Errorf("pglease: lock %d: %w", l.key, err)
	}
	if !ok {
		conn.Close(context.WithoutCancel(ctx))
		return fmt.Errorf("pglease: advisory lock %d: %w", l.key, reaper.ErrLeaseHeld)
	}
	l.h = &held{conn: conn, key: l.key}
	return nil
}

// Check confirms the lock is still this session's.
func (l *Lease) Check(ctx context.Context) error {
	l.mu.Lock()
	h := l.h
	l.mu.Unlock()
	if h == nil {
		return errReleased
	}
	return h.Check(ctx)
}

// Release unlocks and closes the lock's connection.
func (l *Lease) Release(ctx context.Context) error {
	l.mu.Lock()
	h := l.h
	l.mu.Unlock()
	if h == nil {
		return nil
	}
	return h.Release(ctx)
}

type held struct {
	mu     sync.Mutex
	conn   *pgx.Conn
	key    int64
	closed bool
}

// errReleased is returned by Check after Release.
var errReleased = errors.New("pglease: lease released")

// checkSQL asks whether this session still holds the lock. A bigint
// advisory key is stored as classid (high 32 bits), objid (low 32 bits),
// objsubid 1.
const checkSQL = `SELECT EXISTS (SELECT 1 FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
   AND ((classid::bigint << 32) | objid::bigint) = $1)`

// Check round-trips to the server on the lock's connection and confirms the
// lock is still this session's. Any failure means the lease is lost.
func (h *held) Check(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errReleased
	}
	var ok bool
	if err := h.conn.QueryRow(ctx, checkSQL, h.key).Scan(&ok); err != nil {
		return fmt.Errorf("pglease: lock connection: %w", err)
	}
	if !ok {
		return fmt.Errorf("pglease: advisory lock %d no longer held by this session", h.key)
	}
	return nil
}

// Release unlocks and closes the connection. Closing alone would release
// the lock too; unlocking first makes it immediate for the next replica.
func (h *held) Release(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	_, uerr := h.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", h.key)
	cerr := h.conn.Close(ctx)
	return errors.Join(uerr, cerr)
}
