package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // postgres:// DSNs
	_ "gocloud.dev/blob/azureblob"     // --store azblob://
	_ "gocloud.dev/blob/gcsblob"       // --store gs://
	_ "gocloud.dev/blob/s3blob"        // --store s3://
	_ "modernc.org/sqlite"             // SQLite files

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/blobstore"
	"github.com/deploysafe/deploysafe/snapshot/sqlsource"
)

// tableSpec is one --table: table:partition_column.
type tableSpec struct{ table, column string }

func parseTables(specs []string) ([]tableSpec, error) {
	var out []tableSpec
	for _, s := range specs {
		t, c, ok := strings.Cut(s, ":")
		if !ok || t == "" || c == "" {
			return nil, usagef("--table %q: want table:partition_column", s)
		}
		out = append(out, tableSpec{t, c})
	}
	return out, nil
}

// openDB opens dsn: postgres:// through pgx, anything else as a SQLite
// file, which must exist (a typo must not create an empty database).
func openDB(ctx context.Context, dsn string) (*sql.DB, error) {
	if dsn == "" {
		return nil, usagef("--db is required")
	}
	driver, name := "pgx", dsn
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		driver = "sqlite"
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
		name = path // with its query: ?_pragma=foreign_keys(1) enforces the keys, as the application does
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("database %s: %w", path, err)
		}
	}
	db, err := sql.Open(driver, name)
	if err != nil {
		return nil, usagef("--db: %v", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, unreachable("database", err)
	}
	return db, nil
}

// openSource opens the database and a Source for the tables, checking each
// against the catalog: an unknown table or a column that is not the
// partition column is a usage error.
func openSource(ctx context.Context, dsn string, tables []tableSpec, extra ...sqlsource.Option) (*sql.DB, *sqlsource.Source, error) {
	if len(tables) == 0 {
		return nil, nil, usagef("--table is required (table:partition_column)")
	}
	db, err := openDB(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	opts := make([]sqlsource.Option, len(tables))
	for i, t := range tables {
		opts[i] = sqlsource.Table(t.table, t.column)
	}
	src, err := sqlsource.New(db, append(opts, extra...)...)
	if err != nil {
		db.Close()
		return nil, nil, usageError{err}
	}
	for _, t := range tables {
		if _, err := src.Schema(ctx, t.table); err != nil {
			db.Close()
			if ctx.Err() == nil && !isConnErr(err) {
				return nil, nil, usagef("--table %s:%s: %v", t.table, t.column, err)
			}
			return nil, nil, err
		}
	}
	return db, src, nil
}

func isConnErr(err error) bool {
	return errors.Is(err, sql.ErrConnDone) || strings.Contains(err.Error(), "connect")
}

// openStore opens a directory (or file:// URL) as a directory store, and
// any other URL through gocloud.dev/blob.
func openStore(ctx context.Context, raw string) (snapshot.Store, func(), error) {
	if raw == "" {
		return nil, nil, usagef("--store is required")
	}
	u, err := url.Parse(raw)
	if err == nil && u.Scheme != "" && u.Scheme != "file" && len(u.Scheme) > 1 {
		s, err := blobstore.Open(ctx, raw)
		if err != nil {
			return nil, nil, usageError{err}
		}
		// Reach the store now, so that an unreachable one fails here.
		if _, err := s.List(ctx, "manifests/"); err != nil {
			s.Close()
			return nil, nil, unreachable("store", err)
		}
		return s, func() { s.Close() }, nil
	}
	dir := raw
	if err == nil && u.Scheme == "file" {
		dir = filepath.FromSlash(u.Path)
	}
	s, err := snapshot.NewDirStore(dir)
	if err != nil {
		return nil, nil, err
	}
	return s, func() {}, nil
}

// existingDir refuses a store directory that does not exist, for commands
// that read a snapshot (NewDirStore would create it).
func existingDir(raw string) error {
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && u.Scheme != "file" && len(u.Scheme) > 1 {
		return nil
	}
	dir := strings.TrimPrefix(raw, "file://")
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("store %s: %w", dir, err)
	}
	return nil
}
