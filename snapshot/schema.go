package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// String returns the digest in lowercase hex.
// shortHex renders the first 6 bytes of a digest in hex, for messages.
func shortHex(d digest) string { return hex.EncodeToString(d[:6]) }

// fingerprint returns a short stable hash of the schema: table, column names
// and types in order, partition column and key columns. Any change to these
// changes the fingerprint.
func (s Schema) fingerprint() string {
	b, _ := json.Marshal(struct {
		T string
		C []column
		P string
		K []string
	}{s.Table, s.columns(), s.PartitionColumn, s.KeyColumns})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// validate checks that the schema names its partition and key columns among
// its columns, and returns the indexes of the key columns.
func (s Schema) validate() ([]int, error) {
	if s.Table == "" {
		return nil, fmt.Errorf("schema has no table name")
	}
	if len(s.Columns) == 0 {
		return nil, fmt.Errorf("table %q: schema has no columns", s.Table)
	}
	if len(s.Types) != len(s.Columns) {
		return nil, fmt.Errorf("table %q: %d column types for %d columns", s.Table, len(s.Types), len(s.Columns))
	}
	idx := make(map[string]int, len(s.Columns))
	for i, c := range s.columns() {
		if c.Name == "" {
			return nil, fmt.Errorf("table %q: column %d has no name", s.Table, i)
		}
		if _, dup := idx[c.Name]; dup {
			return nil, fmt.Errorf("table %q: duplicate column %q", s.Table, c.Name)
		}
		idx[c.Name] = i
	}
	if _, ok := idx[s.PartitionColumn]; !ok {
		return nil, fmt.Errorf("table %q: partition column %q is not a column", s.Table, s.PartitionColumn)
	}
	if len(s.KeyColumns) == 0 {
		return nil, fmt.Errorf("table %q: schema has no key columns", s.Table)
	}
	keys := make([]int, len(s.KeyColumns))
	for i, k := range s.KeyColumns {
		j, ok := idx[k]
		if !ok {
			return nil, fmt.Errorf("table %q: key column %q is not a column", s.Table, k)
		}
		keys[i] = j
	}
	return keys, nil
}

// schemaDiff describes how two schemas differ, for SchemaError.
func schemaDiff(was, now Schema) string {
	var d []string
	wc := map[string]string{}
	for _, c := range was.columns() {
		wc[c.Name] = c.Type
	}
	nc := map[string]string{}
	for _, c := range now.columns() {
		nc[c.Name] = c.Type
		if t, ok := wc[c.Name]; !ok {
			d = append(d, fmt.Sprintf("column %q added", c.Name))
		} else if t != c.Type {
			d = append(d, fmt.Sprintf("column %q type %s → %s", c.Name, t, c.Type))
		}
	}
	for _, c := range was.columns() {
		if _, ok := nc[c.Name]; !ok {
			d = append(d, fmt.Sprintf("column %q dropped", c.Name))
		}
	}
	if len(d) == 0 && len(was.Columns) == len(now.Columns) {
		for i := range was.Columns {
			if was.Columns[i] != now.Columns[i] {
				d = append(d, "column order changed")
				break
			}
		}
	}
	if was.PartitionColumn != now.PartitionColumn {
		d = append(d, fmt.Sprintf("partition column %q → %q", was.PartitionColumn, now.PartitionColumn))
	}
	if strings.Join(was.KeyColumns, ",") != strings.Join(now.KeyColumns, ",") {
		d = append(d, fmt.Sprintf("key columns %v → %v", was.KeyColumns, now.KeyColumns))
	}
	if len(d) == 0 {
		return "definition differs"
	}
	return strings.Join(d, "; ")
}

// describeTables fetches and validates the schema of every selected table.
func describeTables(ctx context.Context, src Source, sel []Partition) ([]tableSchema, error) {
	var out []tableSchema
	for _, r := range tableRuns(sel) {
		table := sel[r[0]].Table
		s, err := src.Schema(ctx, table)
		if err != nil {
			return nil, fmt.Errorf("snapshot: Take: table %q: %w", table, err)
		}
		if s.Table != table {
			return nil, fmt.Errorf("snapshot: Take: source described table %q as %q", table, s.Table)
		}
		if _, err := s.validate(); err != nil {
			return nil, fmt.Errorf("snapshot: Take: %w", err)
		}
		out = append(out, tableSchema{Schema: s, Fingerprint: s.fingerprint()})
	}
	return out, nil
}

// checkSchemas refuses tables whose schema changed since the snapshot.
func checkSchemas(ctx context.Context, op string, src Source, m *Manifest, sel []Partition, force bool) error {
	seen := map[string]bool{}
	for _, p := range sel {
		if seen[p.Table] {
			continue
		}
		seen[p.Table] = true
		was, _ := m.Schema(p.Table)
		now, err := src.Schema(ctx, p.Table)
		if err != nil {
			return fmt.Errorf("snapshot: %s: table %q: %w", op, p.Table, err)
		}
		if fw, fn := was.fingerprint(), now.fingerprint(); fw != fn && !force {
			return fmt.Errorf("snapshot: table %q: %w (fingerprint %s, now %s): %s", p.Table, ErrSchemaChanged, fw, fn, schemaDiff(was, now))
		}
	}
	return nil
}
