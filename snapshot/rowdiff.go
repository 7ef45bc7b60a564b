package snapshot

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot/internal/rowcodec"
)

// rowDiff matches the snapshot's rows (from snap) with the live dump by key,
// counting into d the rows added, removed and changed, and listing the first
// limit of each kind in d.Rows.
func rowDiff(ctx context.Context, src Source, snap io.Reader, d *PartitionDiff, schema Schema, keys []int, limit int) error {
	type entry struct {
		line string
		seen bool
	}
	index := map[string]int{}
	var old []entry
	rr := rowcodec.NewReader(snap)
	for {
		line, err := rr.NextLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read snapshot: %w", err)
		}
		index[rowKey(line, keys)] = len(old)
		old = append(old, entry{line: string(line)})
	}
	var added, removed, changed []string
	var derr error // written by the goroutine, read after <-done
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		lr := rowcodec.NewReader(pr)
		for {
			line, err := lr.NextLine()
			if err == io.EOF {
				return
			}
			if err != nil {
				derr = fmt.Errorf("read live rows: %w", err)
				pr.CloseWithError(err)
				return
			}
			i, ok := index[rowKey(line, keys)]
			switch {
			case !ok:
				d.Added++
				if len(added) < limit {
					if row, err := rowcodec.Decode(line); err == nil {
						added = append(added, "+ "+showRow(row))
					}
				}
			case old[i].line != string(line):
				old[i].seen = true
				d.Changed++
				if len(changed) < limit {
					a, _ := rowcodec.Decode([]byte(old[i].line))
					b, _ := rowcodec.Decode(line)
					changed = append(changed, "~ "+rowChange(schema, keys, a, b))
				}
			default:
				old[i].seen = true
			}
		}
	}()
	_, err := src.Dump(ctx, d.Partition, pw)
	pw.CloseWithError(err)
	<-done
	if derr != nil {
		return derr
	}
	if err != nil {
		return fmt.Errorf("dump live rows: %w", err)
	}
	for _, e := range old {
		if !e.seen {
			d.Removed++
			if len(removed) < limit {
				row, _ := rowcodec.Decode([]byte(e.line))
				removed = append(removed, "- "+showRow(row))
			}
		}
	}
	d.Rows = append(append(removed, added...), changed...)
	return nil
}

// rowKey extracts the encoded key fields of a line (encodings are unique,
// so equal keys have equal encodings).
func rowKey(line []byte, keys []int) string {
	line = bytes.TrimSuffix(line, []byte{'\n'})
	if len(keys) == 1 && keys[0] == 0 {
		if i := bytes.IndexByte(line, '\t'); i >= 0 {
			return string(line[:i])
		}
		return string(line)
	}
	fields := bytes.Split(line, []byte{'\t'})
	var b []byte
	for i, k := range keys {
		if i > 0 {
			b = append(b, '\t')
		}
		if k < len(fields) {
			b = append(b, fields[k]...)
		}
	}
	return string(b)
}

// rowChange describes a changed row: its key, then each differing column
// with its snapshot and live values.
func rowChange(schema Schema, keys []int, a, b rowcodec.Row) string {
	var key, cols []string
	for _, k := range keys {
		if k < len(a) {
			key = append(key, a[k].String)
		}
	}
	for i := range max(len(a), len(b)) {
		var va, vb sql.NullString
		if i < len(a) {
			va = a[i]
		}
		if i < len(b) {
			vb = b[i]
		}
		if va != vb {
			name := fmt.Sprintf("column %d", i+1)
			if i < len(schema.Columns) {
				name = schema.Columns[i]
			}
			cols = append(cols, fmt.Sprintf("%s %s → %s", name, showValue(va), showValue(vb)))
		}
	}
	return strings.Join(key, " ") + ": " + strings.Join(cols, ", ")
}

// showRow renders a row for people: values separated by spaces, NULL as NULL.
func showRow(r rowcodec.Row) string {
	f := make([]string, len(r))
	for i, v := range r {
		f[i] = v.String
		if !v.Valid {
			f[i] = "NULL"
		}
	}
	return strings.Join(f, " ")
}

func showValue(v sql.NullString) string {
	if !v.Valid {
		return "NULL"
	}
	return strconv.Quote(v.String)
}
