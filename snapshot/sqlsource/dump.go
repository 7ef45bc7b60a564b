package sqlsource

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/internal/rowcodec"
)

// pgSettings pins every setting that changes how PostgreSQL renders or
// parses values, for the current transaction only, so that a dump is
// byte-identical whatever the session's defaults. It also turns row
// security off, as pg_dump does: for a role under a row-level security
// policy a read then fails ("query would be affected by row-level security
// policy") instead of returning the rows the policy lets it see. A snapshot
// is complete or refused, never smaller than the table; and a restore,
// which reads the live partition to diff it, never deletes rows it could
// not see. Roles the policies do not apply to (owner, BYPASSRLS,
// superuser) read as before.
const pgSettings = `SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, MDY', true),
	set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '1', true),
	set_config('bytea_output', 'hex', true), set_config('standard_conforming_strings', 'on', true),
	set_config('lc_monetary', 'C', true), set_config('row_security', 'off', true)`

// Dump writes partition p's rows to w in COPY TEXT, ordered by the key
// columns, from one consistent snapshot of the database (a REPEATABLE READ
// read-only transaction on PostgreSQL, a read transaction on SQLite).
func (s *Source) Dump(ctx context.Context, p snapshot.Partition, w io.Writer) (int64, error) {
	if w == nil {
		return 0, errors.New("sqlsource: Dump: nil io.Writer")
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlsource: Dump %s: %w", p, err)
	}
	defer conn.Close()
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.begin(ctx, conn, opts)
	if err != nil {
		return 0, fmt.Errorf("sqlsource: Dump %s: %w", p, err)
	}
	defer tx.Rollback()
	n, err := s.dumpTx(ctx, conn, tx, p, w)
	if err != nil {
		return n, err
	}
	if err := tx.Commit(); err != nil {
		return n, fmt.Errorf("sqlsource: Dump %s: %w", p, err)
	}
	return n, nil
}

// dumpTx dumps p inside tx, a read transaction on conn.
func (s *Source) dumpTx(ctx context.Context, conn *sql.Conn, tx *sql.Tx, p snapshot.Partition, w io.Writer) (int64, error) {
	t, err := s.table(p.Table)
	if err != nil {
		return 0, err
	}
	if err := s.checkKey(p.Key); err != nil {
		return 0, fmt.Errorf("sqlsource: Dump %s: %w", p, err)
	}
	m, err := s.describe(ctx, tx, t)
	if err != nil {
		return 0, err
	}
	n, err := s.dumpIn(ctx, conn, tx, m, p.Key, w)
	if err != nil {
		return n, fmt.Errorf("sqlsource: Dump %s: %w", p, err)
	}
	return n, nil
}

// begin starts a transaction on conn with PostgreSQL's settings pinned.
func (s *Source) begin(ctx context.Context, conn *sql.Conn, opts *sql.TxOptions) (*sql.Tx, error) {
	tx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if s.dialect == postgres {
		if _, err := tx.ExecContext(ctx, pgSettings); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	return tx, nil
}

// checkKey rejects partition keys no database can hold.
func (s *Source) checkKey(key string) error {
	if s.dialect == postgres && strings.IndexByte(key, 0) >= 0 {
		return fmt.Errorf("partition key %q contains a NUL byte", key)
	}
	return nil
}

// dumpIn dumps inside tx, through COPY when it can.
func (s *Source) dumpIn(ctx context.Context, conn *sql.Conn, tx *sql.Tx, m *meta, key string, w io.Writer) (int64, error) {
	if s.dialect == postgres && s.useCopy {
		n, err := copyTo(ctx, conn, m, key, w)
		if !errors.Is(err, errNoCopy) {
			return n, err
		}
	}
	return s.dumpPages(ctx, tx, m, key, w)
}

// dumpPages is the generic path: keyset pagination over database/sql, each
// page "WHERE part = $1 AND (keys) > (last keys) ORDER BY keys LIMIT n".
func (s *Source) dumpPages(ctx context.Context, q queryer, m *meta, key string, w io.Writer) (int64, error) {
	first, next := s.dumpQueries(m)
	args := []any{s.keyArg(m, key)}
	bw := bufio.NewWriterSize(w, 64<<10)
	vals := make([]any, len(m.cols))
	ptrs := make([]any, len(m.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	row := make(rowcodec.Row, len(m.cols))
	var buf []byte
	var total int64
	query := first
	for {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return total, err
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return total, err
			}
			if err := s.render(vals, row); err != nil {
				rows.Close()
				return total, err
			}
			for _, k := range m.order {
				if !row[k].Valid {
					rows.Close()
					return total, fmt.Errorf("%w: key column %q is NULL in a row", ErrNoKey, m.cols[k].name)
				}
			}
			buf = rowcodec.Append(buf[:0], row)
			if _, err := bw.Write(buf); err != nil {
				rows.Close()
				return total, err
			}
			n++
		}
		if err := closeRows(rows); err != nil {
			return total, err
		}
		total += int64(n)
		if len(m.order) == 0 || n < s.pageSize {
			break
		}
		// The last row's key values start the next page.
		args = args[:1]
		for _, k := range m.order {
			if s.dialect == postgres {
				args = append(args, row[k].String)
			} else if b, ok := vals[k].([]byte); ok {
				args = append(args, bytes.Clone(b))
			} else {
				args = append(args, vals[k])
			}
		}
		query = next
	}
	return total, bw.Flush()
}

// render turns scanned values into text fields.
func (s *Source) render(vals []any, row rowcodec.Row) error {
	for i, v := range vals {
		if s.dialect == postgres {
			switch v := v.(type) {
			case nil:
				row[i] = sql.NullString{}
			case string:
				row[i] = sql.NullString{String: v, Valid: true}
			case []byte:
				row[i] = sql.NullString{String: string(v), Valid: true}
			default:
				return fmt.Errorf("sqlsource: unexpected value of type %T from a text column", v)
			}
			continue
		}
		str, ok, err := renderSQLite(v)
		if err != nil {
			return err
		}
		row[i] = sql.NullString{String: str, Valid: ok}
	}
	return nil
}

// keyArg is the bind value for the partition key.
func (s *Source) keyArg(m *meta, key string) any {
	if s.dialect == postgres {
		return key
	}
	return parseSQLite(key, m.cols[m.part].aff)
}

// dumpQueries builds the first-page and next-page queries.
func (s *Source) dumpQueries(m *meta) (first, next string) {
	var sel, order, keyset, params strings.Builder
	for i, c := range m.cols {
		if i > 0 {
			sel.WriteString(", ")
		}
		if s.dialect == postgres {
			// format('%s') calls the type's output function, as COPY does;
			// a plain ::text cast differs for bool, inet, char(n)….
			fmt.Fprintf(&sel, "CASE WHEN num_nulls(%[1]s) = 0 THEN format('%%s', %[1]s) END", c.quoted)
		} else {
			// Unary + keeps the value but hides the declared type, so the
			// driver returns the stored value instead of parsing dates.
			fmt.Fprintf(&sel, "+%s", c.quoted)
		}
	}
	for i, k := range m.order {
		if i > 0 {
			order.WriteString(", ")
			keyset.WriteString(", ")
			params.WriteString(", ")
		}
		o := s.orderExpr(m.cols[k])
		order.WriteString(o)
		keyset.WriteString(o)
		params.WriteString(s.param(m.cols[k], i+2))
	}
	base := fmt.Sprintf("SELECT %s FROM %s WHERE %s = %s", sel.String(), m.qname, m.cols[m.part].quoted, s.param(m.cols[m.part], 1))
	if len(m.order) == 0 {
		return base, base
	}
	tail := fmt.Sprintf(" ORDER BY %s LIMIT %d", order.String(), s.pageSize)
	return base + tail, base + fmt.Sprintf(" AND (%s) > (%s)", keyset.String(), params.String()) + tail
}

// orderExpr is how key column c is ordered: byte order for text in both
// dialects, so the order (and the digest) does not depend on the locale.
func (s *Source) orderExpr(c colMeta) string {
	if s.dialect == postgres {
		if c.collate {
			return c.quoted + ` COLLATE "C"`
		}
		return c.quoted
	}
	return c.quoted + " COLLATE BINARY"
}

// param is the n-th (1-based) bind parameter for a value of column c. On
// PostgreSQL values travel as text and go through the type's input
// function, exactly as COPY FROM would read them.
func (s *Source) param(c colMeta, n int) string {
	if s.dialect == postgres {
		return "CAST($" + strconv.Itoa(n) + "::text AS " + c.typ + ")"
	}
	return "?"
}
