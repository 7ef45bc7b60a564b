package snapshot

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
)

// rowDiff matches the snapshot's rows (from snap) with the live dump by key.
func rowDiff(ctx context.Context, src Source, snap io.Reader, p Partition, schema Schema, keys []int, limit int) (*RowDiff, error) {
	type entry struct {
		line string
		seen bool
	}
	index := map[string]int{}
	var old []entry
	rr := NewRowReader(snap)
	for {
		line, err := rr.NextLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read snapshot: %w", err)
		}
		index[rowKey(line, keys)] = len(old)
		old = append(old, entry{line: string(line)})
	}
	d := &RowDiff{}
	var derr error // written by the goroutine, read after <-done
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		lr := NewRowReader(pr)
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
				if len(d.AddedRows) < limit {
					if row, err := DecodeRow(line); err == nil {
						d.AddedRows = append(d.AddedRows, row)
					}
				}
			case old[i].line != string(line):
				old[i].seen = true
				d.Changed++
				if len(d.ChangedRows) < limit {
					a, _ := DecodeRow([]byte(old[i].line))
					b, _ := DecodeRow(line)
					d.ChangedRows = append(d.ChangedRows, rowChange(schema, keys, a, b))
				}
			default:
				old[i].seen = true
			}
		}
	}()
	_, err := src.Dump(ctx, p, pw)
	pw.CloseWithError(err)
	<-done
	if derr != nil {
		return nil, derr
	}
	if err != nil {
		return nil, fmt.Errorf("dump live rows: %w", err)
	}
	for _, e := range old {
		if !e.seen {
			d.Removed++
			if len(d.RemovedRows) < limit {
				row, _ := DecodeRow([]byte(e.line))
				d.RemovedRows = append(d.RemovedRows, row)
			}
		}
	}
	return d, nil
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

func rowChange(schema Schema, keys []int, a, b Row) RowChange {
	c := RowChange{Snapshot: a, Live: b, Diff: cmp.Diff(a, b)}
	for _, k := range keys {
		if k < len(a) {
			c.Key = append(c.Key, a[k].String)
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
				name = schema.Columns[i].Name
			}
			c.Columns = append(c.Columns, ColumnChange{Name: name, Snapshot: va, Live: vb})
		}
	}
	return c
}

// showRow renders a row for people: values separated by spaces, NULL as NULL.
func showRow(r Row) string {
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
