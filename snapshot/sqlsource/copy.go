package sqlsource

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// errNoCopy reports a connection that is not pgx's: use the generic path.
var errNoCopy = errors.New("sqlsource: connection does not support COPY")

// pgxConner is implemented by the connections of pgx's database/sql driver
// (github.com/jackc/pgx/v5/stdlib).
type pgxConner interface{ Conn() *pgx.Conn }

// withPgConn runs f on conn's underlying pgx connection. The caller's
// transaction on conn stays open: COPY runs inside it.
func withPgConn(conn *sql.Conn, f func(*pgconn.PgConn) error) error {
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(pgxConner)
		if !ok {
			return errNoCopy
		}
		return f(pc.Conn().PgConn())
	})
}

// copySelect is the query that COPY TO runs for a partition. COPY takes no
// bind parameters, so the key is a quoted literal (standard_conforming_strings
// is on in every transaction Source starts).
func copySelect(m *meta, key string) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range m.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.quoted)
	}
	p := m.cols[m.part]
	fmt.Fprintf(&b, " FROM %s WHERE %s = CAST(%s AS %s)", m.qname, p.quoted, quoteLiteral(key), p.typ)
	if len(m.order) > 0 {
		b.WriteString(" ORDER BY ")
		for i, k := range m.order {
			if i > 0 {
				b.WriteString(", ")
			}
			c := m.cols[k]
			b.WriteString(c.quoted)
			if c.collate {
				b.WriteString(` COLLATE "C"`)
			}
		}
	}
	return b.String()
}

// copyTo dumps a partition with COPY (SELECT …) TO STDOUT.
func copyTo(ctx context.Context, conn *sql.Conn, m *meta, key string, w io.Writer) (int64, error) {
	var n int64
	err := withPgConn(conn, func(pc *pgconn.PgConn) error {
		tag, err := pc.CopyTo(ctx, w, "COPY ("+copySelect(m, key)+") TO STDOUT")
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// copyFrom loads rows with COPY … FROM STDIN WHERE part = key. The WHERE
// clause keeps every row outside the partition out of the table, and the
// count check turns such rows into an error instead of a silent drop.
func copyFrom(ctx context.Context, conn *sql.Conn, m *meta, key string, r io.Reader) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "COPY %s (", m.qname)
	for i, c := range m.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.quoted)
	}
	p := m.cols[m.part]
	fmt.Fprintf(&b, ") FROM STDIN WHERE %s = CAST(%s AS %s)", p.quoted, quoteLiteral(key), p.typ)
	lr := &lineCounter{r: r}
	var n int64
	err := withPgConn(conn, func(pc *pgconn.PgConn) error {
		tag, err := pc.CopyFrom(ctx, lr, b.String())
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		if lr.err != nil && lr.err != io.EOF {
			// pgconn reports a failed reader as the server's text only;
			// keep the reader's error (say, a corrupt chunk) for errors.Is.
			return n, fmt.Errorf("%w (server: %v)", lr.err, err)
		}
		return n, err
	}
	if lines := lr.rows(); lines != n {
		return n, fmt.Errorf("%w: %d of %d rows are not in partition %q", ErrForeignRow, lines-n, lines, key)
	}
	return n, nil
}

// lineCounter counts the rows streamed through it, including a last line
// without its newline (COPY accepts one).
type lineCounter struct {
	r     io.Reader
	lines int64
	last  byte
	any   bool
	err   error // the reader's last error
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if n > 0 {
		l.lines += int64(bytes.Count(p[:n], []byte{'\n'}))
		l.last, l.any = p[n-1], true
	}
	if err != nil {
		l.err = err
	}
	return n, err
}

func (l *lineCounter) rows() int64 {
	if l.any && l.last != '\n' {
		return l.lines + 1
	}
	return l.lines
}
