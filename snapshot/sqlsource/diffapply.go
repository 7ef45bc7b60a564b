package sqlsource

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot/internal/rowcodec"
)

// maxDiffBytes bounds what Replace holds in memory to compare a partition
// with its live rows: the snapshot rows (past it they are spooled to a
// temporary file), and separately the live rows that differ from them and
// the snapshot rows they lack. Past either of those the partition is
// replaced whole.
const maxDiffBytes = 64 << 20

// applyDiff dumps the live partition inside tx and compares it with want:
// live rows identical to a snapshot row stay, a changed row is updated in
// place, the others are deleted by key, and only the snapshot rows still
// missing are loaded. A partition that already matches is verified by that
// dump and committed unwritten (done is true); otherwise the caller
// re-dumps and verifies. Differences past the Source's in-memory bound
// replace the partition whole.
func (s *Source) applyDiff(ctx context.Context, conn *sql.Conn, tx *sql.Tx, m *meta, key string, want *wantRows, verify func(int64, [sha256.Size]byte) error) (done bool, err error) {
	d := &liveDiff{want: want, limit: s.diffMax}
	h := sha256.New()
	rows, err := s.dumpIn(ctx, conn, tx, m, key, io.MultiWriter(h, d))
	if err != nil {
		return false, fmt.Errorf("dump live rows: %w", err)
	}
	d.close()
	missing, size := want.rows(false)
	switch {
	case !d.overflow && len(d.stale) == 0 && size == 0:
		var sum [sha256.Size]byte
		h.Sum(sum[:0])
		if err := verify(rows, sum); err != nil {
			return false, err
		}
		return true, s.commit(ctx, tx, m)
	case !d.overflow && len(d.stale) == 0:
		return false, s.load(ctx, conn, tx, m, key, missing)
	case d.overflow || size > s.diffMax || len(m.order) == 0:
		// Too much differs to hold, or no key to match rows by.
		return false, s.replaceWhole(ctx, conn, tx, m, key, want, false)
	}
	// A live row whose key the snapshot has is changed in place: its
	// triggers see an UPDATE, and rows referencing it are not reached (a
	// DELETE + INSERT would cascade into them). Only rows the snapshot
	// does not have are deleted, and only rows the live table lacks loaded.
	ch, err := pairByKey(m, d.stale, want)
	if err != nil {
		return false, err
	}
	if len(ch.gone) > 0 {
		err := s.checkDependents(ctx, tx, m, key, ch.gone)
		if errors.Is(err, errWhole) {
			return false, s.replaceWhole(ctx, conn, tx, m, key, want, true)
		}
		if err != nil {
			return false, err
		}
		if err := s.deleteKeys(ctx, tx, m, key, ch.gone); err != nil {
			return false, fmt.Errorf("delete: %w", err)
		}
	}
	if len(ch.changed) > 0 {
		if err := s.checkUpdates(ctx, tx, m, key, ch.old, ch.changed, nil); err != nil {
			return false, err
		}
		if err := s.updateRows(ctx, tx, m, key, ch.changed); err != nil {
			return false, fmt.Errorf("update: %w", err)
		}
	}
	if len(ch.added) == 0 {
		return false, nil
	}
	return false, s.load(ctx, conn, tx, m, key, bytes.NewReader(ch.added))
}

// replaceWhole deletes the partition (once nothing outside it depends on
// its rows, unless checked says so already) and loads every snapshot row.
func (s *Source) replaceWhole(ctx context.Context, conn *sql.Conn, tx *sql.Tx, m *meta, key string, want *wantRows, checked bool) error {
	if !checked {
		if err := s.checkDependents(ctx, tx, m, key, nil); err != nil {
			return err
		}
	}
	if err := s.deletePartition(ctx, tx, m, key); err != nil {
		return err
	}
	all, _ := want.rows(true)
	return s.load(ctx, conn, tx, m, key, all)
}

// liveDiff receives a dump of the live partition and sorts its rows into
// those identical to a snapshot row (kept) and the rest (stale). Once the
// stale rows pass limit bytes it stops keeping them and sets overflow: the
// live partition is then mostly not the snapshot, and is replaced whole.
type liveDiff struct {
	want       *wantRows
	limit      int64
	partial    []byte
	kept       int
	stale      []string
	staleBytes int64
	overflow   bool
}

func (d *liveDiff) Write(p []byte) (int, error) {
	n := len(p)
	if len(d.partial) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			d.partial = append(d.partial, p...)
			return n, nil
		}
		d.partial = append(d.partial, p[:i]...)
		d.line(d.partial)
		d.partial = d.partial[:0]
		p = p[i+1:]
	}
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			d.partial = append(d.partial, p...)
			return n, nil
		}
		d.line(p[:i])
		p = p[i+1:]
	}
}

func (d *liveDiff) line(l []byte) {
	if d.want.match(l) {
		d.kept++
		return
	}
	if d.overflow {
		return
	}
	if d.staleBytes += int64(len(l)) + 1; d.staleBytes > d.limit {
		d.overflow, d.stale = true, nil
		return
	}
	d.stale = append(d.stale, string(l))
}

// close accounts for a last line without its newline.
func (d *liveDiff) close() {
	if len(d.partial) > 0 {
		d.line(d.partial)
		d.partial = nil
	}
}

// deleteKeys deletes the live rows whose COPY TEXT lines are stale, by key,
// and checks that each of them was there to delete.
func (s *Source) deleteKeys(ctx context.Context, tx queryer, m *meta, key string, stale []string) error {
	keys := make([][]string, len(m.order)) // keys[i][r]: key column m.order[i] of stale row r
	for _, l := range stale {
		row, err := rowcodec.Decode([]byte(l))
		if err != nil || len(row) != len(m.cols) {
			return fmt.Errorf("live row %q: cannot read its key (%v)", l, err)
		}
		for i, k := range m.order {
			if !row[k].Valid {
				return fmt.Errorf("live row %q: NULL in key column %q", l, m.cols[k].name)
			}
			keys[i] = append(keys[i], row[k].String)
		}
	}
	if s.dialect == postgres {
		// One statement whatever the count, so that it is prepared once
		// per connection: the keys travel as text[] literals.
		args := []any{key}
		for _, col := range keys {
			args = append(args, pgArray(col))
		}
		return checkDeleted(tx.ExecContext(ctx, s.deleteKeysPG(m), args...))(len(stale))
	}
	nk := len(m.order)
	batch := max(1, min(500, (maxParams-1)/max(1, nk)))
	args := make([]any, 0, 1+batch*nk)
	for start := 0; start < len(stale); start += batch {
		n := min(batch, len(stale)-start)
		args = append(args[:0], s.keyArg(m, key))
		for r := start; r < start+n; r++ {
			for i, k := range m.order {
				args = append(args, parseSQLite(keys[i][r], m.cols[k].aff))
			}
		}
		if err := checkDeleted(tx.ExecContext(ctx, s.deleteKeysSQLite(m, n), args...))(n); err != nil {
			return err
		}
	}
	return nil
}

// checkDeleted turns a DELETE's result into an error unless it deleted want rows.
func checkDeleted(res sql.Result, err error) func(want int) error {
	return func(want int) error {
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n != int64(want) {
			return fmt.Errorf("deleted %d rows where %d differ from the snapshot: the partition changed during the restore", n, want)
		}
		return nil
	}
}

// deleteKeysPG is DELETE FROM t WHERE part = $1 AND (keys) IN (SELECT … FROM
// unnest($2::text[], …)).
func (s *Source) deleteKeysPG(m *meta) string {
	var cols, casts, arrays, names []string
	for i, k := range m.order {
		c := m.cols[k]
		cols = append(cols, c.quoted)
		casts = append(casts, fmt.Sprintf("CAST(u.c%d AS %s)", i, c.typ))
		arrays = append(arrays, fmt.Sprintf("CAST($%d::text AS text[])", i+2))
		names = append(names, fmt.Sprintf("c%d", i))
	}
	return fmt.Sprintf("DELETE FROM %s WHERE %s = %s AND (%s) IN (SELECT %s FROM unnest(%s) AS u(%s))",
		m.qname, m.cols[m.part].quoted, s.param(m.cols[m.part], 1), strings.Join(cols, ", "),
		strings.Join(casts, ", "), strings.Join(arrays, ", "), strings.Join(names, ", "))
}

// deleteKeysSQLite is DELETE FROM t WHERE part = ? AND (keys) IN (VALUES (…), …)
// for n rows.
func (s *Source) deleteKeysSQLite(m *meta, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "DELETE FROM %s WHERE %s = ? AND (", m.qname, m.cols[m.part].quoted)
	for i, k := range m.order {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.cols[k].quoted)
	}
	b.WriteString(") IN (VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(m.order)), ", ") + ")"
	for r := 0; r < n; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteByte(')')
	return b.String()
}
