package sqlsource

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot"
)

// Scratch creates an empty table for schema sch, the columns and types a
// snapshot recorded, and serves it until drop removes it: it makes s a
// [snapshot.Scratcher], so that snapshot.Rehearsal can restore a snapshot
// there and never into the live table. The table is named after sch.Table
// with a "_rehearsal_" suffix and a random part (in the same PostgreSQL
// schema), has a primary key on the partition and key columns, and is
// UNLOGGED on PostgreSQL (nothing to recover: it is dropped). sch.Table
// need not be configured, nor exist, in s's database: a rehearsal may run
// on another database than the snapshot came from.
func (s *Source) Scratch(ctx context.Context, sch snapshot.Schema) (string, func(context.Context) error, error) {
	if len(sch.Columns) == 0 || len(sch.Types) != len(sch.Columns) || sch.PartitionColumn == "" {
		return "", nil, fmt.Errorf("sqlsource: Scratch(%q): schema without columns, types or partition column: %w", sch.Table, ErrConfig)
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", nil, err
	}
	t := tableConfig{partition: sch.PartitionColumn, keys: sch.KeyColumns}
	ns, rel, qualified := strings.Cut(sch.Table, ".")
	if !qualified || s.dialect == sqlite {
		ns, rel = "", sch.Table
	}
	rel += "_rehearsal_" + hex.EncodeToString(rnd[:])
	if err := checkName("table", rel); err != nil {
		return "", nil, fmt.Errorf("sqlsource: Scratch(%q): %w", sch.Table, err)
	}
	t.namespace, t.relname, t.name = ns, rel, rel
	qname := quoteIdent(rel)
	if ns != "" {
		t.name = ns + "." + rel
		qname = quoteIdent(ns) + "." + qname
	}
	cols := make([]string, len(sch.Columns))
	for i, c := range sch.Columns {
		cols[i] = strings.TrimSpace(quoteIdent(c) + " " + sch.Types[i])
	}
	key := []string{quoteIdent(sch.PartitionColumn)}
	for _, k := range sch.KeyColumns {
		if k != sch.PartitionColumn && !slices.Contains(key, quoteIdent(k)) {
			key = append(key, quoteIdent(k))
		}
	}
	create := "CREATE TABLE "
	if s.dialect == postgres {
		create = "CREATE UNLOGGED TABLE "
	}
	ddl := create + qname + " (" + strings.Join(cols, ", ") + ", PRIMARY KEY (" + strings.Join(key, ", ") + "))"
	if _, err := s.db.ExecContext(ctx, ddl); err != nil {
		return "", nil, fmt.Errorf("sqlsource: Scratch(%q): create %s: %w", sch.Table, t.name, err)
	}
	s.mu.Lock()
	if s.scratch == nil {
		s.scratch = map[string]tableConfig{}
	}
	s.scratch[t.name] = t
	s.mu.Unlock()
	drop := func(ctx context.Context) error {
		s.mu.Lock()
		delete(s.scratch, t.name)
		s.mu.Unlock()
		if _, err := s.db.ExecContext(ctx, "DROP TABLE IF EXISTS "+qname); err != nil {
			return fmt.Errorf("sqlsource: drop scratch table %s: %w", t.name, err)
		}
		return nil
	}
	return t.name, drop, nil
}
