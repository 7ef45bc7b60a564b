package pgreaper

import (
	"context"
	"errors"
	"fmt"

	"github.com/deploysafe/deploysafe/reaper"
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
