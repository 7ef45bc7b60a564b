package sqlsource

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/internal/rowcodec"
)

// maxParams bounds the bind parameters of one INSERT (PostgreSQL allows
// 65535, SQLite 32766).
const maxParams = 30000

// Replace atomically replaces partition p with the rows read from r, and
// commits only if a dump of the result, through SHA-256, is accepted by
// verify. Any error, a rejection by verify or a cancelled ctx rolls
// everything back. A row of r whose partition column is not p.Key fails the
// call with [ErrForeignRow]: Replace never writes outside p.
//
// It writes only what differs. r's rows are compared with the live
// partition, dumped inside the transaction: live rows identical to a row of
// r stay; a live row whose key r has with other values is updated in place
// (so its triggers see an UPDATE and rows that reference it are not
// reached, as a DELETE + INSERT would reach them through ON DELETE
// actions); live rows whose key r lacks are deleted by key; and only r's
// rows with no live row of their key are loaded (COPY FROM on pgx, batched
// INSERTs otherwise) before the partition is dumped again for verify. A
// partition that already matches is verified by the first dump and left
// unwritten: a restore of an undamaged tenant costs one read and no table
// bloat. Up to 64 MiB of r is held in memory; a larger r is spooled to an
// unlinked file in [os.TempDir] and diffed the same way, holding 25 bytes
// per row in memory. Only if the rows that differ pass 64 MiB is the
// partition deleted and r loaded whole, so memory stays bounded whatever
// the live table holds. A restore that deletes is first checked against
// the foreign keys that reference the table ([ErrDependents]).
func (s *Source) Replace(ctx context.Context, p snapshot.Partition, r io.Reader, verify func(rows int64, sum [sha256.Size]byte) error) (err error) {
	t, err := s.table(p.Table)
	if err != nil {
		return err
	}
	if r == nil || verify == nil {
		return fmt.Errorf("sqlsource: Replace %s: nil reader or verify func", p)
	}
	if err := s.checkKey(p.Key); err != nil {
		return fmt.Errorf("sqlsource: Replace %s: %w", p, err)
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("sqlsource: Replace %s: %w", p, err)
		}
	}()
	// Read (and so verify) the rows to restore before the transaction
	// starts: a broken store then costs the database nothing, and the
	// partition is locked only while it is written.
	want, err := readWant(r, s.diffMax)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer want.close()
	conn, release, err := s.writeConn(ctx)
	if err != nil {
		return err
	}
	defer release()
	tx, m, err := s.beginWrite(ctx, conn, t, p.Key)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.triggers(ctx, tx, "DISABLE", m); err != nil {
		return err
	}
	done, err := s.applyDiff(ctx, conn, tx, m, p.Key, want, verify)
	if err != nil || done {
		return err
	}
	h := sha256.New()
	rows, err := s.dumpIn(ctx, conn, tx, m, p.Key, h)
	if err != nil {
		return fmt.Errorf("re-dump: %w", err)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	if err := verify(rows, sum); err != nil {
		return s.explainVerify(ctx, tx, err, m)
	}
	return s.commit(ctx, tx, m)
}

// commit ends a restore's transaction: the triggers enabled again, then
// the commit, unless ctx is done.
func (s *Source) commit(ctx context.Context, tx *sql.Tx, ms ...*meta) error {
	if err := s.triggers(ctx, tx, "ENABLE", ms...); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return tx.Commit()
}

// writeConn is a restore's connection, taken once this Source's write
// slot is (SQLite: one writer at a time); release gives back both.
func (s *Source) writeConn(ctx context.Context) (conn *sql.Conn, release func(), err error) {
	unlock, err := s.lockWrites(ctx)
	if err != nil {
		return nil, nil, err
	}
	conn, err = s.db.Conn(ctx)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return conn, func() { conn.Close(); unlock() }, nil
}

// lockWrites serializes this Source's writes on SQLite, which allows one
// writer at a time: without it, parallel Replaces on a database opened
// without a busy timeout fail with SQLITE_BUSY instead of waiting. It waits
// for its turn until ctx is done. On PostgreSQL it does nothing.
func (s *Source) lockWrites(ctx context.Context) (unlock func(), err error) {
	if s.writes == nil {
		return func() {}, nil
	}
	select {
	case s.writes <- struct{}{}:
		return func() { <-s.writes }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// beginWrite starts Replace's transaction on conn and locks partition key of
// table t against other Replaces.
func (s *Source) beginWrite(ctx context.Context, conn *sql.Conn, t tableConfig, key string) (*sql.Tx, *meta, error) {
	if s.dialect == sqlite {
		// A SQLite transaction that reads (the live rows) and then writes
		// fails with SQLITE_BUSY instead of waiting when another writer is
		// active. So read the catalog before the transaction, and take the
		// write lock with its first statement, one that deletes nothing.
		m, err := s.describe(ctx, conn, t)
		if err != nil {
			return nil, nil, err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return nil, nil, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+m.qname+" WHERE 0"); err != nil {
			tx.Rollback()
			return nil, nil, fmt.Errorf("lock: %w", err)
		}
		return tx, m, nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	// Read the catalog, pin the settings and serialize Replaces of the same
	// partition (under READ COMMITTED a second one would not see the rows
	// the first one loaded) in one round trip.
	m, err := s.describeLocked(ctx, tx, t, &key)
	if err != nil {
		tx.Rollback()
		return nil, nil, err
	}
	return tx, m, nil
}

func (s *Source) deletePartition(ctx context.Context, tx *sql.Tx, m *meta, key string) error {
	del := fmt.Sprintf("DELETE FROM %s WHERE %s = %s", m.qname, m.cols[m.part].quoted, s.param(m.cols[m.part], 1))
	if _, err := tx.ExecContext(ctx, del, s.keyArg(m, key)); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

// load inserts r's rows: COPY FROM on pgx, batched INSERTs otherwise. It
// then moves the table's sequences past the rows loaded (syncSequences).
func (s *Source) load(ctx context.Context, conn *sql.Conn, tx *sql.Tx, m *meta, key string, r io.Reader) error {
	if s.dialect == postgres && s.useCopy {
		_, err := copyFrom(ctx, conn, m, key, r)
		if !errors.Is(err, errNoCopy) {
			if err != nil {
				return fmt.Errorf("load: %w", err)
			}
			return s.syncSequences(ctx, tx, m)
		}
	}
	if err := s.insertRows(ctx, tx, m, key, r); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return s.syncSequences(ctx, tx, m)
}

// insertRows decodes r and inserts its rows in multi-row INSERTs.
func (s *Source) insertRows(ctx context.Context, tx queryer, m *meta, key string, r io.Reader) error {
	ncol := len(m.cols)
	batch := max(1, min(500, maxParams/ncol))
	full := s.insertSQL(m, batch)
	args := make([]any, 0, batch*ncol)
	rr := rowcodec.NewReader(r)
	pending := 0
	flush := func(q string) error {
		if pending == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, q, args...)
		args, pending = args[:0], 0
		return err
	}
	for {
		row, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if len(row) != ncol {
			return fmt.Errorf("%w: row has %d fields, table %q has %d columns", snapshot.ErrBadRow, len(row), m.schema.Table, ncol)
		}
		if pk := row[m.part]; !pk.Valid || pk.String != key {
			got := `NULL`
			if pk.Valid {
				got = strconv.Quote(pk.String)
			}
			return fmt.Errorf("%w: a row has %s = %s, not %q", ErrForeignRow, m.cols[m.part].name, got, key)
		}
		for i, v := range row {
			switch {
			case !v.Valid:
				args = append(args, nil)
			case s.dialect == postgres:
				if strings.IndexByte(v.String, 0) >= 0 {
					return fmt.Errorf("%w: column %q: NUL byte in a value", snapshot.ErrBadRow, m.cols[i].name)
				}
				args = append(args, v.String)
			default:
				args = append(args, parseSQLite(v.String, m.cols[i].aff))
			}
		}
		if pending++; pending == batch {
			if err := flush(full); err != nil {
				return err
			}
		}
	}
	return flush(s.insertSQL(m, pending))
}

// insertSQL is INSERT INTO t (cols) VALUES (…), … for n rows.
func (s *Source) insertSQL(m *meta, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (", m.qname)
	for i, c := range m.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.quoted)
	}
	b.WriteString(") ")
	if s.dialect == postgres {
		// The snapshot's ids go back as they were, also into a GENERATED
		// ALWAYS identity column (COPY does that without being asked).
		b.WriteString("OVERRIDING SYSTEM VALUE ")
	}
	b.WriteString("VALUES ")
	k := 1
	for r := 0; r < n; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i, c := range m.cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(s.param(c, k))
			k++
		}
		b.WriteByte(')')
	}
	return b.String()
}
