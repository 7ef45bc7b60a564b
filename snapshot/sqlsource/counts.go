package sqlsource

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot"
)

// Schema describes table from the catalog: its columns in order (generated
// columns excluded), its partition column and its key columns.
func (s *Source) Schema(ctx context.Context, table string) (snapshot.Schema, error) {
	t, err := s.table(table)
	if err != nil {
		return snapshot.Schema{}, err
	}
	m, err := s.describe(ctx, s.db, t)
	if err != nil {
		return snapshot.Schema{}, err
	}
	return m.schema, nil
}

// Partitions lists the distinct non-NULL values of table's partition
// column, rendered as text and sorted bytewise.
func (s *Source) Partitions(ctx context.Context, table string) ([]string, error) {
	var keys []string
	err := s.read(ctx, table, func(q queryer, m *meta) error {
		p := m.cols[m.part].quoted
		query := fmt.Sprintf("SELECT %s FROM (SELECT DISTINCT %s AS p FROM %s WHERE %s IS NOT NULL) d",
			s.textExpr("p"), p, m.qname, p)
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		var v any
		for rows.Next() {
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			k, err := s.keyText(v)
			if err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, k)
		}
		return closeRows(rows)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlsource: Partitions %q: %w", table, err)
	}
	slices.Sort(keys)
	return keys, nil
}

// Counts returns the row count of each of keys in table with one grouped
// query (= ANY($1) on PostgreSQL, IN (…) on SQLite); keys without rows map to 0.
func (s *Source) Counts(ctx context.Context, table string, keys []string) (map[string]int64, error) {
	out := make(map[string]int64, len(keys))
	for _, k := range keys {
		if err := s.checkKey(k); err != nil {
			return nil, fmt.Errorf("sqlsource: Counts %q: %w", table, err)
		}
		out[k] = 0
	}
	if len(keys) == 0 {
		if _, err := s.table(table); err != nil {
			return nil, err
		}
		return out, nil
	}
	err := s.read(ctx, table, func(q queryer, m *meta) error {
		c := m.cols[m.part]
		for len(keys) > 0 {
			chunk := keys
			if s.dialect == sqlite && len(chunk) > maxParams {
				chunk = chunk[:maxParams]
			}
			keys = keys[len(chunk):]
			var query string
			var args []any
			if s.dialect == postgres {
				query = fmt.Sprintf("SELECT %s, count(*) FROM %s WHERE %s = ANY(CAST($1::text[] AS %s[])) GROUP BY %s",
					s.textExpr(c.quoted), m.qname, c.quoted, c.typ, c.quoted)
				args = []any{pgArray(chunk)}
			} else {
				query = fmt.Sprintf("SELECT +%s, count(*) FROM %s WHERE %s IN (%s) GROUP BY %s",
					c.quoted, m.qname, c.quoted, strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", "), c.quoted)
				for _, k := range chunk {
					args = append(args, parseSQLite(k, c.aff))
				}
			}
			rows, err := q.QueryContext(ctx, query, args...)
			if err != nil {
				return err
			}
			var v any
			var n int64
			for rows.Next() {
				if err := rows.Scan(&v, &n); err != nil {
					rows.Close()
					return err
				}
				k, err := s.keyText(v)
				if err != nil {
					rows.Close()
					return err
				}
				out[k] = n
			}
			if err := closeRows(rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlsource: Counts %q: %w", table, err)
	}
	return out, nil
}

// read runs f with the table's metadata: on SQLite on the pool directly,
// on PostgreSQL in a transaction with the settings pinned. Even when no
// setting changes the text of the partition column, the transaction is
// what turns row security off (pgSettings): a role under a policy would
// otherwise list or count only the partitions and rows it may see.
func (s *Source) read(ctx context.Context, table string, f func(queryer, *meta) error) error {
	t, err := s.table(table)
	if err != nil {
		return err
	}
	m, err := s.describe(ctx, s.db, t)
	if err != nil {
		return err
	}
	if s.dialect == sqlite {
		return f(s.db, m)
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, pgSettings); err != nil {
		return err
	}
	if err := f(tx, m); err != nil {
		return err
	}
	return tx.Commit()
}

// textExpr renders expr as text in SQL (PostgreSQL) or passes it through
// for keyText to render (SQLite).
func (s *Source) textExpr(expr string) string {
	if s.dialect == postgres {
		return fmt.Sprintf("format('%%s', %s)", expr)
	}
	return "+" + expr
}

func (s *Source) keyText(v any) (string, error) {
	if s.dialect == postgres {
		switch v := v.(type) {
		case string:
			return v, nil
		case []byte:
			return string(v), nil
		}
		return "", fmt.Errorf("sqlsource: unexpected partition key of type %T", v)
	}
	str, _, err := renderSQLite(v)
	return str, err
}

// pgArray writes keys as a PostgreSQL text[] literal, so that any driver
// can bind it as one text parameter.
func pgArray(keys []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for j := 0; j < len(k); j++ {
			if k[j] == '"' || k[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(k[j])
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}
