package sqlsource

import (
	"fmt"
	"strings"
)

// An Option configures [New].
type Option interface {
	apply(*config) error
}

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

type config struct {
	dialect  dialect
	tables   map[string]tableConfig
	pageSize int
	useCopy  bool
	diffMax  int64
	quiet    bool // DisableTriggers
}

// DisableTriggers makes every restore (Replace, ReplaceGroup) run with the
// tables' user triggers disabled, so that an audit or outbox trigger does
// not record the restore as new writes. By default triggers fire: rows are
// updated in place, so a trigger sees what the restore really changed. The
// cost: ALTER TABLE … DISABLE TRIGGER takes a SHARE ROW EXCLUSIVE lock, so
// every other tenant's writes to a restored table wait until the restore's
// transaction ends. Triggers are enabled again inside the transaction, before
// its commit; a rollback or a kill leaves them as they were. Constraint
// triggers of foreign keys still fire. PostgreSQL only: SQLite cannot
// disable a trigger, and New refuses the option there.
func DisableTriggers() Option {
	return optionFunc(func(c *config) error {
		c.quiet = true
		return nil
	})
}

// Table makes the Source serve table name, partitioned by the values of
// partitionColumn. Rows are ordered by keyColumns, or by the table's primary
// key when none are given; explicit key columns must be NOT NULL and cover a
// unique index, so that the order is total.
//
// On PostgreSQL name may be schema-qualified ("billing.orders"); otherwise
// it is looked up on the search path. Names are matched exactly (case
// included) against the catalog, and always quoted in SQL.
func Table(name, partitionColumn string, keyColumns ...string) Option {
	return optionFunc(func(c *config) error {
		t := tableConfig{name: name, relname: name, partition: partitionColumn}
		if ns, rel, ok := strings.Cut(name, "."); ok {
			t.namespace, t.relname = ns, rel
		}
		if err := checkName("table", t.relname); err != nil {
			return fmt.Errorf("sqlsource: Table(%q): %w", name, err)
		}
		if t.namespace != "" || strings.HasPrefix(name, ".") {
			if err := checkName("schema", t.namespace); err != nil {
				return fmt.Errorf("sqlsource: Table(%q): %w", name, err)
			}
		}
		if err := checkName("partition column", partitionColumn); err != nil {
			return fmt.Errorf("sqlsource: Table(%q): %w", name, err)
		}
		seen := map[string]bool{}
		for _, k := range keyColumns {
			if err := checkName("key column", k); err != nil {
				return fmt.Errorf("sqlsource: Table(%q): %w", name, err)
			}
			if seen[k] {
				return fmt.Errorf("sqlsource: Table(%q): key column %q given twice", name, k)
			}
			seen[k] = true
		}
		if _, dup := c.tables[name]; dup {
			return fmt.Errorf("sqlsource: Table(%q) given twice", name)
		}
		if len(keyColumns) > 0 {
			t.keys = append([]string(nil), keyColumns...)
		}
		c.tables[name] = t
		return nil
	})
}

// Dialect sets the SQL dialect, "postgres" or "sqlite", instead of
// detecting it from the driver. Detection knows pgx, lib/pq,
// modernc.org/sqlite, mattn/go-sqlite3 and ncruces/go-sqlite3. With pgx's
// driver (github.com/jackc/pgx/v5/stdlib), Dump and Replace use COPY.
func Dialect(name string) Option {
	return optionFunc(func(c *config) error {
		switch name {
		case "postgres":
			c.dialect = postgres
		case "sqlite":
			c.dialect = sqlite
		default:
			return fmt.Errorf("sqlsource: Dialect(%q): want \"postgres\" or \"sqlite\": %w", name, ErrConfig)
		}
		return nil
	})
}

// withPageSize sets how many rows each keyset page reads (tests).
func withPageSize(n int) Option {
	return optionFunc(func(c *config) error {
		if n < 1 {
			return fmt.Errorf("sqlsource: withPageSize(%d): must be at least 1", n)
		}
		c.pageSize = n
		return nil
	})
}

// withDiffLimit sets how many bytes of a partition Replace compares in
// memory before it falls back to replacing the partition whole (tests).
func withDiffLimit(n int64) Option {
	return optionFunc(func(c *config) error { c.diffMax = n; return nil })
}

// withCopy turns PostgreSQL's COPY fast path on or off (tests, benchmarks).
func withCopy(on bool) Option {
	return optionFunc(func(c *config) error { c.useCopy = on; return nil })
}

func checkName(what, n string) error {
	switch {
	case n == "":
		return fmt.Errorf("empty %s name", what)
	case len(n) > 255:
		return fmt.Errorf("%s name longer than 255 bytes", what)
	case strings.IndexByte(n, 0) >= 0:
		return fmt.Errorf("%s name %q contains a NUL byte", what, n)
	}
	return nil
}

// quoteIdent quotes an identifier for both dialects: double quotes, with
// embedded double quotes doubled. Names are also checked against the
// catalog before they reach SQL.
func quoteIdent(n string) string {
	return `"` + strings.ReplaceAll(n, `"`, `""`) + `"`
}

// quoteLiteral quotes a string literal for PostgreSQL with
// standard_conforming_strings on (Source sets it in every transaction).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
