package snapshot

import (
	"context"
	"crypto/sha256"
	"io"
)

// A Partition is the unit of snapshot and restore: the rows of one table that
// share one value of its partition column (typically a tenant or site id).
type Partition struct {
	Table string // table name as the Source knows it
	Key   string // partition column value, as text
}

// String returns "table/key".
func (p Partition) String() string { return p.Table + "/" + p.Key }

// Column describes one column of a table.
// Schema describes a table as a Source sees it. Take records its fingerprint
// in the manifest; Restore refuses to load into a table whose schema changed.
type Schema struct {
	Table           string
	Columns         []string // column names, in the order rows are encoded
	Types           []string // each column's type as the database names it, e.g. "bigint", "TEXT"
	PartitionColumn string   // the column whose value selects a partition
	KeyColumns      []string // unique within a partition; rows are dumped in this order
}

// column is one column of a Schema, as the manifest and the fingerprint
// record it.
type column struct {
	Name string
	Type string
}

// columns pairs the schema's names and types (validate checks they match).
func (s Schema) columns() []column {
	cs := make([]column, len(s.Columns))
	for i, n := range s.Columns {
		cs[i].Name = n
		if i < len(s.Types) {
			cs[i].Type = s.Types[i]
		}
	}
	return cs
}

// digest is a SHA-256 sum over a partition's canonical row encoding.
type digest = [sha256.Size]byte

// Source is a database that snapshot reads partitions from and restores them
// into. The snapshot/sqlsource package implements it over database/sql for
// PostgreSQL and SQLite.
//
// # Row encoding
//
// Rows travel as PostgreSQL's COPY TEXT format, whatever the database: one
// row per line ending in '\n', fields in Schema.Columns order separated by
// '\t', NULL written as `\N`, and backslash escapes `\\`, `\b`, `\f`, `\n`,
// `\r`, `\t`, `\v` inside values. A partition's dump is deterministic: rows in
// ascending KeyColumns order, each value rendered the same way every time, so
// equal data has equal bytes and an equal Digest.
type Source interface {
	// Schema describes table.
	Schema(ctx context.Context, table string) (Schema, error)
	// Partitions lists the distinct partition keys present in table, sorted.
	Partitions(ctx context.Context, table string) ([]string, error)
	// Dump writes partition p's rows to w in the canonical encoding and
	// returns how many rows it wrote. A partition with no rows writes nothing.
	Dump(ctx context.Context, p Partition, w io.Writer) (rows int64, err error)
	// Counts returns the row count of each named partition of table in one
	// round trip; keys with no rows map to 0.
	Counts(ctx context.Context, table string, keys []string) (map[string]int64, error)
	// Replace atomically replaces partition p with the rows read from r (the
	// canonical encoding): in one transaction it makes p hold exactly r's
	// rows (deleting and loading all of them, or only those that differ),
	// dumps p inside the transaction once it holds them and passes that
	// dump's row count and SHA-256 to verify. It commits only if verify
	// returns nil; otherwise, or on any error, it rolls back and the
	// partition is as it was.
	Replace(ctx context.Context, p Partition, r io.Reader, verify func(rows int64, sum digest) error) error
}

// A Pinner is a Source that can read many partitions as of one moment of the
// database. [Take] uses it when the Source has it, so that every partition
// of a snapshot, across tables and parallel workers, is read from one
// database snapshot: an order and its items committed by one transaction are
// in the snapshot together or not at all. A Source without it is read one
// partition at a time, each consistent only with itself.
type Pinner interface {
	// Pin opens a read view of the database as of now: dump is the
	// Source's Dump as of that moment, safe for concurrent use; moment
	// names it for the manifest (Manifest.Moment: when it was, on the
	// database's clock, and the database's own name for it); release
	// closes the view. The caller calls release once, whatever happened.
	Pin(ctx context.Context) (dump func(ctx context.Context, p Partition, w io.Writer) (rows int64, err error), moment string, release func(), err error)
}

// A GroupReplacer is a Source that replaces several partitions of one key
// (one tenant's rows across tables) in one transaction. [Restore] uses it
// when the Source has it, for every key with more than one selected
// partition, so that a tenant is restored whole or not at all.
type GroupReplacer interface {
	// ReplaceGroup is Replace for parts, all of one key and of distinct
	// tables: rows(p) yields p's rows, verify judges each partition's
	// dump inside the transaction, and it commits once, only if every
	// verify returns nil.
	ReplaceGroup(ctx context.Context, parts []Partition, rows func(Partition) io.Reader, verify func(p Partition, rows int64, sum digest) error) error
}
