package sqlsource

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/deploysafe/deploysafe/internal/clip"
	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/internal/rowcodec"
)

// changes is what a restore writes to make a partition the snapshot's,
// row by row: live rows the snapshot lacks (gone, deleted by key), rows
// whose key both have but whose values differ (changed, updated in place
// to the snapshot's values), and snapshot rows with no live row of their
// key (added, loaded, as COPY TEXT).
type changes struct {
	gone    []string
	changed []rowcodec.Row
	old     []string // the live row each changed row replaces
	added   []byte
}

// pairByKey matches the stale live rows with the snapshot rows no live row
// equals, by the values of the key columns.
func pairByKey(m *meta, stale []string, want *wantRows) (changes, error) {
	var ch changes
	keyOf := func(row rowcodec.Row) string {
		var b strings.Builder
		for _, k := range m.order {
			b.WriteString(row[k].String)
			b.WriteByte(0)
		}
		return b.String()
	}
	live := make(map[string]int, len(stale)) // key → index in stale
	for i, l := range stale {
		row, err := rowcodec.Decode([]byte(l))
		if err != nil || len(row) != len(m.cols) {
			return ch, fmt.Errorf("live row %q: cannot read it (%v)", clip.String(l), err)
		}
		live[keyOf(row)] = i
	}
	updated := make([]bool, len(stale))
	var added bytes.Buffer
	for i := range want.count() {
		if want.kept[i] {
			continue
		}
		l, err := want.line(i)
		if err != nil {
			return ch, err
		}
		row, err := rowcodec.Decode([]byte(l))
		if err != nil || len(row) != len(m.cols) {
			return ch, fmt.Errorf("%w: snapshot row %q (%v)", snapshot.ErrBadRow, clip.String(l), err)
		}
		if j, ok := live[keyOf(row)]; ok && !updated[j] {
			updated[j] = true
			ch.changed, ch.old = append(ch.changed, row), append(ch.old, stale[j])
			continue
		}
		added.WriteString(l)
		added.WriteByte('\n')
	}
	for i, l := range stale {
		if !updated[i] {
			ch.gone = append(ch.gone, l)
		}
	}
	ch.added = added.Bytes()
	return ch, nil
}

// updateRows sets every column but the partition and key columns of each
// row, found by its key, to the row's values, and checks that each row was
// there to update. PostgreSQL: one statement over unnested text arrays;
// SQLite: one statement per row.
func (s *Source) updateRows(ctx context.Context, tx queryer, m *meta, key string, rows []rowcodec.Row) error {
	set := m.valueColumns()
	if len(set) == 0 {
		return fmt.Errorf("%d rows differ only in their key columns", len(rows))
	}
	if s.dialect == postgres {
		args := []any{key}
		for _, k := range append(append([]int(nil), m.order...), set...) {
			col := make([]*string, len(rows))
			for r, row := range rows {
				if row[k].Valid {
					col[r] = &row[k].String
				}
			}
			args = append(args, pgArrayNull(col))
		}
		return checkUpdated(tx.ExecContext(ctx, s.updateRowsPG(m, set), args...))(len(rows))
	}
	q := s.updateRowSQLite(m, set)
	args := make([]any, 0, 1+len(set)+len(m.order))
	for _, row := range rows {
		args = args[:0]
		for _, k := range set {
			if row[k].Valid {
				args = append(args, parseSQLite(row[k].String, m.cols[k].aff))
			} else {
				args = append(args, nil)
			}
		}
		args = append(args, s.keyArg(m, key))
		for _, k := range m.order {
			args = append(args, parseSQLite(row[k].String, m.cols[k].aff))
		}
		if err := checkUpdated(tx.ExecContext(ctx, q, args...))(1); err != nil {
			return err
		}
	}
	return nil
}

// valueColumns are the columns a restore updates in place: all but the
// partition column and the key columns.
func (m *meta) valueColumns() []int {
	var set []int
	for i := range m.cols {
		if i == m.part || indexOf(m.keys, i) >= 0 {
			continue
		}
		set = append(set, i)
	}
	return set
}

func indexOf(xs []int, x int) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// updateRowsPG is UPDATE t AS dst SET c = CAST(src.vI AS type), … FROM
// unnest($2::text[], …) AS src(k0, …, v0, …) WHERE dst.part = $1 AND
// (dst.keys) = (CAST(src.kI AS type), …).
func (s *Source) updateRowsPG(m *meta, set []int) string {
	var sets, names, arrays, dstKeys, srcKeys []string
	n := 2
	for i, k := range m.order {
		c := m.cols[k]
		names = append(names, fmt.Sprintf("k%d", i))
		arrays = append(arrays, fmt.Sprintf("CAST($%d::text AS text[])", n))
		dstKeys = append(dstKeys, "dst."+c.quoted)
		srcKeys = append(srcKeys, fmt.Sprintf("CAST(src.k%d AS %s)", i, c.typ))
		n++
	}
	for i, k := range set {
		c := m.cols[k]
		names = append(names, fmt.Sprintf("v%d", i))
		arrays = append(arrays, fmt.Sprintf("CAST($%d::text AS text[])", n))
		sets = append(sets, fmt.Sprintf("%s = CAST(src.v%d AS %s)", c.quoted, i, c.typ))
		n++
	}
	return fmt.Sprintf("UPDATE %s AS dst SET %s FROM unnest(%s) AS src(%s) WHERE dst.%s = %s AND (%s) = (%s)",
		m.qname, strings.Join(sets, ", "), strings.Join(arrays, ", "), strings.Join(names, ", "),
		m.cols[m.part].quoted, s.param(m.cols[m.part], 1), strings.Join(dstKeys, ", "), strings.Join(srcKeys, ", "))
}

// updateRowSQLite is UPDATE t SET c = ?, … WHERE part = ? AND k = ? AND ….
func (s *Source) updateRowSQLite(m *meta, set []int) string {
	var sets, conds []string
	for _, k := range set {
		sets = append(sets, m.cols[k].quoted+" = ?")
	}
	conds = append(conds, m.cols[m.part].quoted+" = ?")
	for _, k := range m.order {
		conds = append(conds, m.cols[k].quoted+" = ?")
	}
	return fmt.Sprintf("UPDATE %s SET %s WHERE %s", m.qname, strings.Join(sets, ", "), strings.Join(conds, " AND "))
}

// checkUpdated turns an UPDATE's result into an error unless it changed want rows.
func checkUpdated(res interface{ RowsAffected() (int64, error) }, err error) func(want int) error {
	return func(want int) error {
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n != int64(want) {
			return fmt.Errorf("updated %d rows where %d differ from the snapshot: the partition changed during the restore", n, want)
		}
		return nil
	}
}

// pgArrayNull renders a text[] literal whose nil elements are NULL.
func pgArrayNull(vals []*string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		if v == nil {
			b.WriteString("NULL")
			continue
		}
		b.WriteByte('"')
		for j := 0; j < len(*v); j++ {
			if c := (*v)[j]; c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte((*v)[j])
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}
