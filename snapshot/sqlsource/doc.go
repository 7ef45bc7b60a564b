// Package sqlsource is a [snapshot.Source] over database/sql, for tables
// partitioned by a column (a tenant or site id), on PostgreSQL and SQLite.
//
//	db, _ := sql.Open("pgx", dsn) // or sql.Open("sqlite", path)
//	tables, err := sqlsource.TablesWith(ctx, db, "tenant_id") // the tenant's tables
//	var opts []sqlsource.Option
//	for _, t := range tables {
//		opts = append(opts, sqlsource.Table(t, "tenant_id"))
//	}
//	src, err := sqlsource.New(db, opts...)
//	m, err := snapshot.Take(ctx, src, store, selection)
//
// # Reading
//
// A Take reads through [Source.Pin]: on PostgreSQL one REPEATABLE READ
// transaction exports its snapshot and every parallel reader imports it
// (as pg_dump -j does); on SQLite one read transaction serves every dump.
// Row security is off in every read, so a role under a policy gets an
// error, not fewer rows. Dump alone reads one partition inside a read-only
// transaction (REPEATABLE READ on PostgreSQL), ordered by the key columns: the primary key, or the
// columns given to [Table] (NOT NULL and covering a unique index). Text
// keys are ordered bytewise (COLLATE "C" / BINARY), so the order does not
// depend on the locale (on PostgreSQL an index on a text key serves that
// order only if it was built COLLATE "C"). The generic path pages with keyset pagination
// (WHERE part = $1 AND (keys) > ($2, …) ORDER BY keys LIMIT n), never OFFSET.
// With pgx's driver (github.com/jackc/pgx/v5/stdlib) it runs one
// COPY (SELECT …) TO STDOUT instead, which is faster.
//
// # Value rendering
//
// Rows travel as PostgreSQL COPY TEXT (see [snapshot.Source]). On
// PostgreSQL values are rendered by each type's output function, as COPY
// does, with TimeZone=UTC, DateStyle=ISO, IntervalStyle=postgres,
// extra_float_digits=1 and bytea_output=hex pinned for the transaction, so
// the same data gives the same bytes whatever the session's settings; the
// generic path selects format('%s', col), which is byte-identical to COPY
// (a ::text cast is not: it writes "true" for a boolean and a netmask for
// inet). On SQLite each stored value is rendered by its storage class:
//
//	NULL     \N
//	INTEGER  decimal: -42
//	REAL     shortest round-trip decimal with a '.' or exponent: 3.0, 0.1, 1e+300, -Infinity
//	TEXT     the text
//	BLOB     \x and lowercase hex, as PostgreSQL writes bytea: \x00ff
//
// Replace binds each field back by the column's affinity, so values
// round-trip; the exceptions SQLite's dynamic typing allows are that a
// BLOB stored in a TEXT column returns as the text \x…, and a TEXT value in
// a non-TEXT column that reads exactly like a rendered number or BLOB
// returns as one.
//
// # Writing
//
// Replace runs in one transaction and writes only what differs: it dumps
// the live partition, compares it with the rows to restore (in memory up
// to 64 MiB of them, past that spooled to an unlinked temporary file),
// updates in place the live rows whose key the snapshot
// has with other values, deletes by key the live rows the snapshot lacks,
// loads the missing ones (COPY FROM STDIN WHERE part = key on pgx, multi-row
// INSERTs otherwise), dumps again through SHA-256, and commits only if the
// verify callback accepts the row count and digest. [Source.ReplaceGroup]
// does the same for one key's partitions of several tables in one
// transaction: deletes children first, inserts parents first (the order of
// the foreign keys between them; deferrable constraints deferred).
//
// Before a delete, the foreign keys that reference the table are read: if
// the delete would cascade, set null, set default or fail because of rows
// outside what is restored, the call is refused before it writes
// ([ErrDependents], naming the key, the table, the action and the rows).
// After a load, every sequence owned by a restored column is moved to at
// least the column's max, never backwards. User triggers fire (and see an
// UPDATE for a changed row); [DisableTriggers] turns them off for the
// restore. A partition that already
// matches is verified by its first dump and not written at all. A
// partition whose differing rows (live or snapshot) pass 64 MiB is deleted
// and loaded whole. A Replace holds at most ~64 MiB of snapshot rows, or
// for a larger partition 25 bytes per row plus the file, and 64 MiB of
// differing live rows. Rows whose partition
// column is not the partition being replaced fail the call
// ([ErrForeignRow]).
//
// SQLite allows one writer at a time: a Source on SQLite runs its Replaces
// one after the other, whatever the DSN, so a parallel snapshot.Restore
// succeeds with default settings (its reads and verification still run in
// parallel). Other processes writing the same file still need a busy
// timeout (`?_pragma=busy_timeout(5000)` with modernc.org/sqlite).
//
// # Names
//
// Table and column names are checked against the catalog (pg_catalog, or
// sqlite_schema and pragma_table_info) on every call and always quoted, so
// a name cannot inject SQL; partition keys are bind parameters, or quoted
// literals inside COPY.
package sqlsource
