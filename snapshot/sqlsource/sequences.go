package sqlsource

import (
	"context"
	"fmt"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// pgOwnedSequences lists, for table $1 (quoted, qualified), each column that
// owns an ascending sequence (identity or serial) and the sequence's name
// as pg_get_serial_sequence returns it (quoted as needed, qualified).
const pgOwnedSequences = `SELECT a.attname, pg_catalog.pg_get_serial_sequence($1, a.attname)
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
	AND pg_catalog.pg_get_serial_sequence($1, a.attname) IS NOT NULL
	AND (SELECT q.seqincrement FROM pg_catalog.pg_sequence q
		WHERE q.seqrelid = pg_catalog.pg_get_serial_sequence($1, a.attname)::regclass) > 0
ORDER BY a.attnum`

// syncSequences moves every ascending sequence owned by a column of m up
// to the column's max, inside tx, after a load: rows restored with their
// ids do not move the sequence, and the next insert that takes a default
// would otherwise collide with a restored row (after TRUNCATE … RESTART
// IDENTITY, say). A sequence already past the max is left alone: never
// moved backwards. SQLite needs nothing: an explicit rowid moves both the
// next rowid and sqlite_sequence.
func (s *Source) syncSequences(ctx context.Context, tx queryer, m *meta) error {
	if s.dialect != postgres {
		return nil
	}
	rows, err := tx.QueryContext(ctx, pgOwnedSequences, m.qname)
	if err != nil {
		return fmt.Errorf("sequences: %w", err)
	}
	type owned struct{ col, seq string }
	var seqs []owned
	for rows.Next() {
		var o owned
		if err := rows.Scan(&o.col, &o.seq); err != nil {
			rows.Close()
			return fmt.Errorf("sequences: %w", err)
		}
		seqs = append(seqs, o)
	}
	if err := closeRows(rows); err != nil {
		return fmt.Errorf("sequences: %w", err)
	}
	for _, o := range seqs {
		// The sequence's name comes from the catalog, already quoted.
		q := fmt.Sprintf(`SELECT pg_catalog.setval(%s, m.mx, true)
FROM (SELECT max(%s) AS mx FROM %s) m, %s s
WHERE m.mx > CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END`,
			quoteLiteral(o.seq), quoteIdent(o.col), m.qname, o.seq)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sequence %s of column %q: %w", clip.String(o.seq), o.col, err)
		}
	}
	return nil
}
