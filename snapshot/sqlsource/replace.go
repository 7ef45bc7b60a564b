package sqlsource

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot"
)

// maxParams bounds the bind parameters of one INSERT (PostgreSQL allows
// 65535, SQLite 32766).
const maxParams = 30000

// Replace atomically replaces partition p with the rows read from r. In one
// transaction it deletes p's rows, loads r (COPY FROM on pgx, batched
// INSERTs otherwise), dumps p again through SHA-256, and commits only if
// verify accepts that row count and digest. Any error, a rejection by verify
// or a cancelled ctx rolls everything back. A row of r whose partition
// column is not p.Key fails the call with [ErrForeignRow]: Replace never
// writes outside p.
func (s *Source) Replace(ctx context.Context, p snapshot.Partition, r io.Reader, verify func(rows int64, sum snapshot.Digest) error) (err error) {
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
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var m *meta
	if s.dialect == SQLite {
		// Read the catalog before the transaction, so that its first
		// statement is the DELETE: a SQLite transaction that reads and then
		// writes fails with SQLITE_BUSY instead of waiting when another
		// writer is active.
		if m, err = s.describe(ctx, conn, t); err != nil {
			return err
		}
	}
	tx, err := s.begin(ctx, conn, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if m == nil {
		if m, err = s.describe(ctx, tx, t); err != nil {
			return err
		}
	}
	if s.dialect == Postgres {
		// Serialize Replaces of the same partition: under READ COMMITTED a
		// second DELETE would not see the rows the first one loaded.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, m.qname+"/"+p.Key); err != nil {
			return fmt.Errorf("lock partition: %w", err)
		}
	}
	del := fmt.Sprintf("DELETE FROM %s WHERE %s = %s", m.qname, m.cols[m.part].quoted, s.param(m.cols[m.part], 1))
	if _, err := tx.ExecContext(ctx, del, s.keyArg(m, p.Key)); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	loaded := false
	if s.dialect == Postgres && s.useCopy {
		_, err := copyFrom(ctx, conn, m, p.Key, r)
		if err != nil && !errors.Is(err, errNoCopy) {
			return fmt.Errorf("load: %w", err)
		}
		loaded = err == nil
	}
	if !loaded {
		if err := s.insertRows(ctx, tx, m, p.Key, r); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	h := sha256.New()
	rows, err := s.dumpIn(ctx, conn, tx, m, p.Key, h)
	if err != nil {
		return fmt.Errorf("re-dump: %w", err)
	}
	var sum snapshot.Digest
	h.Sum(sum[:0])
	if err := verify(rows, sum); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return tx.Commit()
}

// insertRows decodes r and inserts its rows in multi-row INSERTs.
func (s *Source) insertRows(ctx context.Context, tx queryer, m *meta, key string, r io.Reader) error {
	ncol := len(m.cols)
	batch := max(1, min(500, maxParams/ncol))
	full := s.insertSQL(m, batch)
	args := make([]any, 0, batch*ncol)
	rr := snapshot.NewRowReader(r)
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
			case s.dialect == Postgres:
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
	b.WriteString(") VALUES ")
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
