package pgreaper

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// store is what the ledger and the lease of one reaper share: the pool,
// and the lease's connection while it is held.
type store struct {
	pool   *pgxpool.Pool
	name   string
	label  string // name as error messages quote it: clipped
	server string // host:port, for errors
	key    int64  // advisory lock

	mu   sync.Mutex
	conn *pgx.Conn // the lease's connection while held
}

// ledger is a reaper.Ledger in one row of reaper_ledger, with the
// database's clock.
type ledger store

// Load returns the reaper's ledger, or nil before its first Store.
func (l *ledger) Load(ctx context.Context) ([]byte, error) {
	s := (*store)(l)
	var blob []byte
	err := s.do(ctx, func(q pgx.Row) error { return q.Scan(&blob) }, "SELECT blob FROM reaper_ledger WHERE name = $1", s.name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail("load ledger "+s.label, err)
	}
	return blob, nil
}

// Store replaces the reaper's ledger in one statement, stamped with
// clock_timestamp(). While the lease is held it writes through the lease's
// connection: if that session is gone, so is the lock, and the write fails.
func (l *ledger) Store(ctx context.Context, blob []byte) error {
	s := (*store)(l)
	err := s.do(ctx, func(q pgx.Row) error { var ok bool; return q.Scan(&ok) },
		`INSERT INTO reaper_ledger (name, blob, stored_at) VALUES ($1, $2, clock_timestamp())
		 ON CONFLICT (name) DO UPDATE SET blob = excluded.blob, stored_at = excluded.stored_at
		 RETURNING true`, s.name, blob)
	if err != nil {
		return s.fail("store ledger "+s.label, err)
	}
	return nil
}

// Now reads the database's clock: clock_timestamp(), the wall clock at the
// moment of the statement.
func (l *ledger) Now(ctx context.Context) (time.Time, error) {
	s := (*store)(l)
	var t time.Time
	// The check on a line of its own: a coverage block ends at a function
	// literal, so a condition after one on the same line counts as never run.
	err := s.do(ctx, func(q pgx.Row) error { return q.Scan(&t) }, "SELECT clock_timestamp()")
	if err != nil {
		return time.Time{}, s.fail("read the clock", err)
	}
	return t, nil
}

// do runs one single-row statement on the lease's connection while the
// lease is held, else on the pool.
func (s *store) do(ctx context.Context, scan func(pgx.Row) error, sql string, args ...any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		return scan(s.conn.QueryRow(ctx, sql, args...))
	}
	return scan(s.pool.QueryRow(ctx, sql, args...))
}
