package sqlsource

import (
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/deploysafe/deploysafe/snapshot"
)

var (
	// ErrUnknownTable reports a table that was not configured with [Table]
	// or that the database's catalog does not have.
	ErrUnknownTable = errors.New("sqlsource: unknown table")
	// ErrConfig reports an invalid option or argument of New; the message
	// names it.
	ErrConfig = errors.New("sqlsource: invalid configuration")
	// ErrUnknownColumn reports a configured partition or key column that the
	// table does not have.
	ErrUnknownColumn = errors.New("sqlsource: unknown column")
	// ErrNoKey reports a table whose rows cannot be ordered deterministically:
	// it has no primary key and no key columns were given, or the given key
	// columns are nullable or not covered by a unique index.
	ErrNoKey = errors.New("sqlsource: no usable key")
	// ErrForeignRow reports a row handed to Replace whose partition column
	// does not hold the partition being replaced. Replace never writes
	// outside the partition it was asked to replace.
	ErrForeignRow = errors.New("sqlsource: row belongs to another partition")
)

// dialect is the SQL dialect a Source speaks.
type dialect int

const (
	auto     dialect = iota // detect from the database/sql driver
	postgres                // PostgreSQL (tested on 15); with pgx, Dump and Replace use COPY
	sqlite                  // SQLite, through modernc.org/sqlite or another driver
)

func (d dialect) String() string {
	switch d {
	case postgres:
		return "postgres"
	case sqlite:
		return "sqlite"
	}
	return "auto"
}

// A Source reads and replaces partitions of the tables it was configured
// with. It implements [snapshot.Source] and is safe for concurrent use.
type Source struct {
	db       *sql.DB
	dialect  dialect
	tables   map[string]tableConfig
	pageSize int
	useCopy  bool
	diffMax  int64
	quiet    bool          // DisableTriggers
	writes   chan struct{} // SQLite: the one write slot; nil on PostgreSQL

	mu      sync.RWMutex
	scratch map[string]tableConfig // scratch tables of rehearsals, by name
}

var _ snapshot.Source = (*Source)(nil)

type tableConfig struct {
	name      string // as given, possibly "schema.table" on PostgreSQL
	namespace string // PostgreSQL schema, "" for the search path
	relname   string
	partition string
	keys      []string // explicit key columns, nil for the primary key
}

const defaultPageSize = 10000

// New returns a Source over db for the tables named by [Table] options (at
// least one). It does no I/O: tables are checked against the catalog on
// every call, so a Source notices schema changes.
func New(db *sql.DB, opts ...Option) (*Source, error) {
	if db == nil {
		return nil, fmt.Errorf("sqlsource: New: nil *sql.DB: %w", ErrConfig)
	}
	c := config{tables: map[string]tableConfig{}, pageSize: defaultPageSize, useCopy: true, diffMax: maxDiffBytes}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("sqlsource: New: nil Option: %w", ErrConfig)
		}
		if err := o.apply(&c); err != nil {
			return nil, err
		}
	}
	if len(c.tables) == 0 {
		return nil, fmt.Errorf("sqlsource: New: no tables: pass at least one Table option: %w", ErrConfig)
	}
	d := c.dialect
	if d == auto {
		d = detect(db)
		if d == auto {
			return nil, fmt.Errorf("sqlsource: New: cannot tell the dialect of driver %T: pass Dialect: %w", db.Driver(), ErrConfig)
		}
	}
	if d == sqlite && c.quiet {
		return nil, fmt.Errorf("sqlsource: New: DisableTriggers: SQLite cannot disable triggers: %w", ErrConfig)
	}
	if d == sqlite {
		for _, t := range c.tables {
			if t.namespace != "" {
				return nil, fmt.Errorf("sqlsource: New: Table(%q): schema-qualified names are PostgreSQL only", t.name)
			}
		}
	}
	s := &Source{db: db, dialect: d, tables: c.tables, pageSize: c.pageSize, useCopy: c.useCopy, diffMax: c.diffMax, quiet: c.quiet}
	if d == sqlite {
		s.writes = make(chan struct{}, 1)
	}
	return s, nil
}

// detect recognises the common drivers by their package.
func detect(db *sql.DB) dialect {
	t := reflect.TypeOf(db.Driver())
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return auto
	}
	switch pkg := t.PkgPath(); {
	case strings.HasPrefix(pkg, "github.com/jackc/pgx/"), pkg == "github.com/lib/pq":
		return postgres
	case pkg == "modernc.org/sqlite", pkg == "github.com/mattn/go-sqlite3", strings.HasPrefix(pkg, "github.com/ncruces/go-sqlite3"):
		return sqlite
	}
	return auto
}

func (s *Source) table(name string) (tableConfig, error) {
	t, ok := s.tables[name]
	if !ok {
		s.mu.RLock()
		t, ok = s.scratch[name]
		s.mu.RUnlock()
	}
	if !ok {
		return t, fmt.Errorf("%w %q: not configured (see sqlsource.Table)", ErrUnknownTable, name)
	}
	return t, nil
}
