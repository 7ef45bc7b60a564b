package sqlsource

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/deploysafe/deploysafe/snapshot"
)

var _ snapshot.Pinner = (*Source)(nil)

// Pin opens a read view of the database as of now, which [snapshot.Take]
// reads every partition of one snapshot from. On PostgreSQL one REPEATABLE
// READ transaction exports its snapshot (pg_export_snapshot, as pg_dump -j
// does) and every parallel reader imports it, so the dumps stay parallel and
// see one moment. On SQLite one read transaction serves every dump in turn.
// The view holds its transactions (and the rows they see from vacuum) until
// Close.
func (s *Source) Pin(ctx context.Context) (dump func(context.Context, snapshot.Partition, io.Writer) (int64, error), moment string, release func(), err error) {
	v, err := s.pin(ctx)
	if err != nil {
		return nil, "", nil, err
	}
	return v.Dump, v.moment, func() { v.Close() }, nil
}

func (s *Source) pin(ctx context.Context) (*view, error) {
	v := &view{s: s, ctx: context.WithoutCancel(ctx), readers: 1, max: 1}
	if s.dialect == postgres {
		v.max = s.db.Stats().MaxOpenConnections // 0: no limit
	}
	lead, err := v.open(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("sqlsource: Pin: %w", err)
	}
	v.lead = lead
	if s.dialect == postgres {
		var at, snap string
		err = lead.tx.QueryRowContext(ctx, `SELECT pg_export_snapshot(),
			to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), pg_current_snapshot()::text`).Scan(&v.id, &at, &snap)
		v.moment = at + " PostgreSQL snapshot " + snap
	} else {
		// A SQLite read transaction takes its snapshot at its first read.
		var at string
		err = lead.tx.QueryRowContext(ctx, `SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM sqlite_master LIMIT 1`).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			err = lead.tx.QueryRowContext(ctx, `SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`).Scan(&at)
		}
		v.moment = at + " SQLite read transaction"
	}
	if err != nil {
		lead.close()
		return nil, fmt.Errorf("sqlsource: Pin: %w", err)
	}
	v.idle = []*reader{lead}
	return v, nil
}

// view is a pinned Source: readers, each a connection in a read transaction
// at the view's moment, taken from idle by one Dump at a time.
type view struct {
	s      *Source
	ctx    context.Context // the readers' transactions live until Close, not until a Dump's ctx ends
	lead   *reader         // exports the snapshot; closed last
	id     string          // PostgreSQL's exported snapshot id
	moment string

	mu      sync.Mutex
	idle    []*reader
	readers int // open, idle or not
	max     int // most readers the pool allows; 0 for no limit
	closed  bool
	wait    chan struct{} // signalled when a reader is back
}

type reader struct {
	conn *sql.Conn
	tx   *sql.Tx
}

func (r *reader) close() {
	r.tx.Rollback()
	r.conn.Close()
}

// open starts a reader; with id, one that imports that exported snapshot.
func (v *view) open(ctx context.Context, id string) (*reader, error) {
	conn, err := v.s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if v.s.dialect == postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := conn.BeginTx(v.ctx, opts)
	if err != nil {
		conn.Close()
		return nil, err
	}
	r := &reader{conn: conn, tx: tx}
	if id != "" {
		// Must be the transaction's first statement.
		if _, err := tx.ExecContext(ctx, "SET TRANSACTION SNAPSHOT '"+id+"'"); err != nil {
			r.close()
			return nil, fmt.Errorf("import snapshot %s: %w", id, err)
		}
	}
	if v.s.dialect == postgres {
		if _, err := tx.ExecContext(ctx, pgSettings); err != nil {
			r.close()
			return nil, err
		}
	}
	return r, nil
}

// Dump dumps p as of the view's moment.
func (v *view) Dump(ctx context.Context, p snapshot.Partition, w io.Writer) (int64, error) {
	if w == nil {
		return 0, errors.New("sqlsource: Dump: nil io.Writer")
	}
	r, err := v.take(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlsource: Dump %s: %w", p, err)
	}
	n, err := v.s.dumpTx(ctx, r.conn, r.tx, p, w)
	// A reader whose dump failed may be in an aborted transaction: it is
	// not reused (the lead stays open to keep the snapshot exported).
	v.give(r, err == nil)
	return n, err
}

// take returns an idle reader, or opens one that imports the snapshot while
// the pool allows another connection (else waits for one to come back:
// a Dump must not wait for a connection its own view holds). SQLite has
// the one reader.
func (v *view) take(ctx context.Context) (*reader, error) {
	for {
		v.mu.Lock()
		if v.closed {
			v.mu.Unlock()
			return nil, errors.New("view is closed")
		}
		if n := len(v.idle); n > 0 {
			r := v.idle[n-1]
			v.idle = v.idle[:n-1]
			v.mu.Unlock()
			return r, nil
		}
		if v.max == 0 || v.readers < v.max {
			v.readers++
			v.mu.Unlock()
			r, err := v.open(ctx, v.id)
			if err != nil {
				v.mu.Lock()
				v.readers--
				v.mu.Unlock()
			}
			return r, err
		}
		if v.wait == nil {
			v.wait = make(chan struct{})
		}
		wait := v.wait
		v.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

func (v *view) give(r *reader, ok bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case ok && !v.closed:
		v.idle = append(v.idle, r)
	case r != v.lead:
		r.close()
		v.readers--
	}
	if v.wait != nil {
		close(v.wait)
		v.wait = nil
	}
}

// Close ends every reader's transaction, the exporting one last.
func (v *view) Close() error {
	v.mu.Lock()
	idle := v.idle
	v.idle, v.closed = nil, true
	v.mu.Unlock()
	for _, r := range idle {
		if r != v.lead {
			r.close()
		}
	}
	v.lead.close()
	return nil
}
