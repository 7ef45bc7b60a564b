package sqlsource

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// TablesWith lists the tables of db that have a column named column: a
// tenant's tables, found by its key column, to pass to [Table] with that
// column. On PostgreSQL it looks in the given schemas (none: every schema
// but the system ones) and names tables "schema.table" (a partitioned table
// once, not its partitions); on SQLite, which has no schemas to give, at
// every table of the main database. The
// names are sorted; Restore orders its writes by the foreign keys itself.
// No table with the column is an error that names it.
func TablesWith(ctx context.Context, db *sql.DB, column string, schemas ...string) ([]string, error) {
	if db == nil || column == "" {
		return nil, fmt.Errorf("sqlsource: TablesWith: nil *sql.DB or empty column name: %w", ErrConfig)
	}
	var q string
	args := []any{column}
	switch detect(db) {
	case postgres:
		q = `SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c
			JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
			JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attname = $1
			AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
			AND (cardinality($2::text[]) = 0 OR n.nspname = ANY($2::text[]))`
		args = append(args, pgArray(schemas))
	case sqlite:
		q = `SELECT t.name FROM sqlite_schema t, pragma_table_info(t.name) c
			WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND c.name = ?`
		if len(schemas) > 0 {
			return nil, fmt.Errorf("sqlsource: TablesWith: SQLite has no schemas to look in: %w", ErrConfig)
		}
	default:
		return nil, fmt.Errorf("sqlsource: TablesWith: cannot tell the dialect of driver %T: %w", db.Driver(), ErrConfig)
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlsource: TablesWith %q: %w", clip.String(column), err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlsource: TablesWith %q: %w", clip.String(column), err)
		}
		names = append(names, n)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlsource: TablesWith %q: %w", clip.String(column), err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no table has a column %q", ErrUnknownColumn, clip.String(column))
	}
	slices.Sort(names)
	return names, nil
}

// Dependents lists the Source's tables that reference table through a
// foreign key, directly or through other tables (order_items for orders),
// sorted: what [snapshot.IncludeDependents] adds to a restore of table. On
// SQLite, keys count only where PRAGMA foreign_keys is on, as there they
// are enforced only then.
func (s *Source) Dependents(ctx context.Context, table string) ([]string, error) {
	if _, err := s.table(table); err != nil {
		return nil, err
	}
	names := make(map[string]string, len(s.tables)) // meta.qname → configured name
	metas := make(map[string]*meta, len(s.tables))
	for name, t := range s.tables {
		m, err := s.describe(ctx, s.db, t)
		if err != nil {
			return nil, fmt.Errorf("sqlsource: Dependents %q: %w", clip.String(table), err)
		}
		names[m.qname], metas[name] = name, m
	}
	seen := map[string]bool{table: true}
	var out []string
	for queue := []string{table}; len(queue) > 0; queue = queue[1:] {
		refs, err := s.referencing(ctx, s.db, metas[queue[0]])
		if err != nil {
			return nil, fmt.Errorf("sqlsource: Dependents %q: %w", clip.String(table), err)
		}
		for _, r := range refs {
			if name, ok := names[r.qname]; ok && !seen[name] {
				seen[name] = true
				out, queue = append(out, name), append(queue, name)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}
