package sqlsource

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot"
)

// queryer is what introspection and dumps need: a *sql.DB, *sql.Conn or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// meta is a table as read from the catalog.
type meta struct {
	schema snapshot.Schema
	qname  string // quoted, qualified table name
	cols   []colMeta
	part   int   // index of the partition column in cols
	keys   []int // key column indexes, in order
	order  []int // keys without the partition column: the keyset
}

type colMeta struct {
	name    string
	quoted  string
	typ     string // PostgreSQL: format_type(); SQLite: declared type
	attnum  int
	notNull bool
	collate bool // PostgreSQL: collatable, ordered with COLLATE "C"
	aff     affinity
	pkPos   int // 1-based position in the primary key, 0 if not in it
}

// describe reads table t's definition from the catalog and resolves the
// partition and key columns.
func (s *Source) describe(ctx context.Context, q queryer, t tableConfig) (*meta, error) {
	return s.describeLocked(ctx, q, t, nil)
}

// describeLocked is describe that, on PostgreSQL and given the key of the
// partition to write (which may be ""), also does what every write
// transaction starts with (pgDescribeForWrite): pin the settings and lock
// the partition.
func (s *Source) describeLocked(ctx context.Context, q queryer, t tableConfig, writeKey *string) (*meta, error) {
	var (
		m      *meta
		unique [][]int
		err    error
	)
	if s.dialect == postgres {
		m, unique, err = describePostgres(ctx, q, t, writeKey)
	} else {
		m, unique, err = describeSQLite(ctx, q, t)
	}
	if err != nil {
		return nil, err
	}
	return m, m.resolve(t, unique)
}

func (m *meta) resolve(t tableConfig, unique [][]int) error {
	byName := make(map[string]int, len(m.cols))
	for i, c := range m.cols {
		byName[c.name] = i
		m.schema.Columns, m.schema.Types = append(m.schema.Columns, c.name), append(m.schema.Types, c.typ)
	}
	p, ok := byName[t.partition]
	if !ok {
		return fmt.Errorf("%w: table %q has no partition column %q", ErrUnknownColumn, t.name, t.partition)
	}
	m.part = p
	if t.keys == nil {
		var pk []int
		for i, c := range m.cols {
			if c.pkPos > 0 {
				pk = append(pk, i)
			}
		}
		if len(pk) == 0 {
			return fmt.Errorf("%w: table %q has no primary key: pass key columns to sqlsource.Table", ErrNoKey, t.name)
		}
		slices.SortFunc(pk, func(a, b int) int { return m.cols[a].pkPos - m.cols[b].pkPos })
		m.keys = pk
	} else {
		for _, k := range t.keys {
			i, ok := byName[k]
			if !ok {
				return fmt.Errorf("%w: table %q has no key column %q", ErrUnknownColumn, t.name, k)
			}
			m.keys = append(m.keys, i)
		}
		var pk []int
		for i, c := range m.cols {
			if c.pkPos > 0 {
				pk = append(pk, i)
			}
		}
		if err := m.checkUnique(t, append(unique, pk)); err != nil {
			return err
		}
	}
	for _, k := range m.keys {
		m.schema.KeyColumns = append(m.schema.KeyColumns, m.cols[k].name)
		if k != m.part {
			m.order = append(m.order, k)
		}
	}
	m.schema.Table = t.name
	m.schema.PartitionColumn = t.partition
	return nil
}

// checkUnique accepts explicit key columns only if, with the partition
// column, they cover a unique index and are NOT NULL: otherwise keyset
// pagination could skip rows that tie.
func (m *meta) checkUnique(t tableConfig, unique [][]int) error {
	have := map[int]bool{m.part: true}
	for _, k := range m.keys {
		have[k] = true
		if !m.cols[k].notNull && m.cols[k].pkPos == 0 {
			return fmt.Errorf("%w: table %q: key column %q is nullable", ErrNoKey, t.name, m.cols[k].name)
		}
	}
	for _, idx := range unique {
		covered := len(idx) > 0
		for _, c := range idx {
			covered = covered && have[c]
		}
		if covered {
			return nil
		}
	}
	return fmt.Errorf("%w: table %q: no primary key or unique index on a subset of %v", ErrNoKey, t.name, t.keys)
}

const (
	// pgRelation finds the table: "rel", one row (nspname, relname, oid)
	// or none.
	pgRelation = `rel AS (SELECT n.nspname, c.relname, c.oid FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relname = $2 AND c.relkind IN ('r', 'p')
		AND CASE WHEN $1::text = '' THEN pg_catalog.pg_table_is_visible(c.oid) ELSE n.nspname = $1::text END)`
	pgColumns = `SELECT rel.nspname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnum,
	a.attnotnull, a.attcollation <> 0, COALESCE(array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1) + 1, 0), rel.oid::int8
FROM `
	pgColumnsOf = `rel
JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
LEFT JOIN pg_catalog.pg_index i ON i.indrelid = rel.oid AND i.indisprimary
ORDER BY a.attnum`

	pgDescribe = "WITH " + pgRelation + "\n" + pgColumns + pgColumnsOf

	// pgDescribeForWrite is pgDescribe that also starts a write
	// transaction: it pins the settings (pgSettings) and takes the advisory
	// lock of partition $3 of the table, named "schema"."table"/key, for
	// the rest of the transaction. One round trip instead of two for every
	// partition a restore writes. A WITH query that calls volatile
	// functions is evaluated exactly once; without a table it has no row
	// and the call fails anyway.
	pgDescribeForWrite = "WITH " + pgRelation + ",\npin AS (" + pgSettings +
		`, pg_advisory_xact_lock(hashtextextended('"' || replace(rel.nspname, '"', '""') || '"."' ||
		replace(rel.relname, '"', '""') || '"/' || $3::text, 0)) FROM rel)
` + pgColumns + "pin, " + pgColumnsOf
)

const pgUnique = `SELECT array_to_string(i.indkey::int2[], ',') FROM pg_catalog.pg_index i
WHERE i.indrelid = $1 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL`

// describePostgres reads table t from the catalog. With a partition key to
// lock, it also starts a write transaction (pgDescribeForWrite).
func describePostgres(ctx context.Context, q queryer, t tableConfig, writeKey *string) (*meta, [][]int, error) {
	query, args := pgDescribe, []any{t.namespace, t.relname}
	if writeKey != nil {
		query, args = pgDescribeForWrite, append(args, *writeKey)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlsource: describe %q: %w", t.name, err)
	}
	m := &meta{}
	var ns string
	var oid int64
	for rows.Next() {
		var c colMeta
		if err := rows.Scan(&ns, &c.name, &c.typ, &c.attnum, &c.notNull, &c.collate, &c.pkPos, &oid); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("sqlsource: describe %q: %w", t.name, err)
		}
		c.quoted = quoteIdent(c.name)
		m.cols = append(m.cols, c)
	}
	if err := closeRows(rows); err != nil {
		return nil, nil, fmt.Errorf("sqlsource: describe %q: %w", t.name, err)
	}
	if len(m.cols) == 0 {
		return nil, nil, fmt.Errorf("%w %q: no such table in the catalog", ErrUnknownTable, t.name)
	}
	m.qname = quoteIdent(ns) + "." + quoteIdent(t.relname)
	var unique [][]int
	if t.keys != nil {
		rows, err := q.QueryContext(ctx, pgUnique, oid)
		if err != nil {
			return nil, nil, fmt.Errorf("sqlsource: describe %q indexes: %w", t.name, err)
		}
		byNum := map[int]int{}
		for i, c := range m.cols {
			byNum[c.attnum] = i
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("sqlsource: describe %q indexes: %w", t.name, err)
			}
			var idx []int
			for _, f := range strings.Split(s, ",") {
				var n int
				if _, err := fmt.Sscan(f, &n); err == nil {
					if i, ok := byNum[n]; ok {
						idx = append(idx, i)
						continue
					}
				}
				idx = nil
				break
			}
			unique = append(unique, idx)
		}
		if err := closeRows(rows); err != nil {
			return nil, nil, fmt.Errorf("sqlsource: describe %q indexes: %w", t.name, err)
		}
	}
	return m, unique, nil
}

func describeSQLite(ctx context.Context, q queryer, t tableConfig) (*meta, [][]int, error) {
	var n int
	row := q.QueryContext
	rows, err := row(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, t.relname)
	if err == nil {
		for rows.Next() {
			err = rows.Scan(&n)
		}
		if cerr := closeRows(rows); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sqlsource: describe %q: %w", t.name, err)
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("%w %q: no such table in the catalog", ErrUnknownTable, t.name)
	}
	rows, err = q.QueryContext(ctx, `SELECT cid, name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, t.relname)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlsource: describe %q: %w", t.name, err)
	}
	m := &meta{qname: quoteIdent(t.relname)}
	for rows.Next() {
		var c colMeta
		if err := rows.Scan(&c.attnum, &c.name, &c.typ, &c.notNull, &c.pkPos); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("sqlsource: describe %q: %w", t.name, err)
		}
		c.quoted = quoteIdent(c.name)
		c.aff = affinityOf(c.typ)
		m.cols = append(m.cols, c)
	}
	if err := closeRows(rows); err != nil {
		return nil, nil, fmt.Errorf("sqlsource: describe %q: %w", t.name, err)
	}
	var unique [][]int
	if t.keys != nil {
		unique, err = sqliteUnique(ctx, q, t, m)
		if err != nil {
			return nil, nil, err
		}
	}
	return m, unique, nil
}

func sqliteUnique(ctx context.Context, q queryer, t tableConfig, m *meta) ([][]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT il.name, ii.name FROM pragma_index_list(?) il, pragma_index_info(il.name) ii
		WHERE il."unique" AND NOT il.partial ORDER BY il.name, ii.seqno`, t.relname)
	if err != nil {
		return nil, fmt.Errorf("sqlsource: describe %q indexes: %w", t.name, err)
	}
	byName := map[string]int{}
	for i, c := range m.cols {
		byName[c.name] = i
	}
	var unique [][]int
	var cur string
	bad := false
	for rows.Next() {
		var idx string
		var col sql.NullString
		if err := rows.Scan(&idx, &col); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlsource: describe %q indexes: %w", t.name, err)
		}
		if idx != cur || len(unique) == 0 {
			cur, bad = idx, false
			unique = append(unique, nil)
		}
		i, ok := byName[col.String]
		if !col.Valid || !ok {
			bad = true // an expression index cannot order the keyset
		}
		if bad {
			unique[len(unique)-1] = nil
		} else {
			unique[len(unique)-1] = append(unique[len(unique)-1], i)
		}
	}
	return unique, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}
