package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// String returns the digest in lowercase hex.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

func (d Digest) short() string { return d.String()[:12] }

// MarshalText encodes the digest as lowercase hex.
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText decodes a digest from 64 hex digits.
func (d *Digest) UnmarshalText(b []byte) error {
	if len(b) != 2*len(d) {
		return fmt.Errorf("%w: digest %q: want %d hex digits", ErrBadManifest, truncate(string(b), 80), 2*len(d))
	}
	if _, err := hex.Decode(d[:], b); err != nil {
		return fmt.Errorf("%w: digest %q: %v", ErrBadManifest, truncate(string(b), 80), err)
	}
	return nil
}

// fingerprint returns a short stable hash of the schema: table, column names
// and types in order, partition column and key columns. Any change to these
// changes the fingerprint.
func (s Schema) fingerprint() string {
	b, _ := json.Marshal(struct {
		T string
		C []Column
		P string
		K []string
	}{s.Table, s.Columns, s.PartitionColumn, s.KeyColumns})
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
	idx := make(map[string]int, len(s.Columns))
	for i, c := range s.Columns {
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
	for _, c := range was.Columns {
		wc[c.Name] = c.Type
	}
	nc := map[string]string{}
	for _, c := range now.Columns {
		nc[c.Name] = c.Type
		if t, ok := wc[c.Name]; !ok {
			d = append(d, fmt.Sprintf("column %q added", c.Name))
		} else if t != c.Type {
			d = append(d, fmt.Sprintf("column %q type %s → %s", c.Name, t, c.Type))
		}
	}
	for _, c := range was.Columns {
		if _, ok := nc[c.Name]; !ok {
			d = append(d, fmt.Sprintf("column %q dropped", c.Name))
		}
	}
	if len(d) == 0 && len(was.Columns) == len(now.Columns) {
		for i := range was.Columns {
			if was.Columns[i].Name != now.Columns[i].Name {
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

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
