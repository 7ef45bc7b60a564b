// Package rowcodec reads and writes rows in PostgreSQL's COPY TEXT
// encoding, the canonical form in which rows travel between a snapshot
// Source and the store. snapshot and snapshot/sqlsource share it.
package rowcodec

import (
	"bufio"
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
)

// ErrBadRow reports a row that is not valid COPY TEXT. snapshot exports it
// as snapshot.ErrBadRow.
var ErrBadRow = errors.New("snapshot: bad row encoding")

// A Row is one decoded row: one value per column, in schema column order.
// A value with Valid false is SQL NULL.
type Row []sql.NullString

// Append appends row to dst in the canonical COPY TEXT encoding described
// on snapshot.Source, newline included, and returns the extended buffer.
func Append(dst []byte, row Row) []byte {
	for i, v := range row {
		if i > 0 {
			dst = append(dst, '\t')
		}
		if !v.Valid {
			dst = append(dst, '\\', 'N')
			continue
		}
		for j := 0; j < len(v.String); j++ {
			c := v.String[j]
			switch c {
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\v':
				dst = append(dst, '\\', 'v')
			default:
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '\n')
}

// Decode decodes one line of COPY TEXT (a trailing newline is allowed).
// Besides the canonical escapes it accepts everything PostgreSQL's COPY
// accepts: octal `\ooo`, hex `\xhh`, and a backslash before any other
// character standing for that character.
func Decode(line []byte) (Row, error) {
	line = bytes.TrimSuffix(line, []byte{'\n'})
	n := bytes.Count(line, []byte{'\t'}) + 1
	row := make(Row, 0, n)
	var buf []byte
	for field := range bytes.SplitSeq(line, []byte{'\t'}) {
		if len(field) == 2 && field[0] == '\\' && field[1] == 'N' {
			row = append(row, sql.NullString{})
			continue
		}
		if bytes.IndexByte(field, '\\') < 0 {
			row = append(row, sql.NullString{String: string(field), Valid: true})
			continue
		}
		buf = buf[:0]
		for i := 0; i < len(field); i++ {
			c := field[i]
			if c != '\\' {
				buf = append(buf, c)
				continue
			}
			i++
			if i == len(field) {
				return nil, fmt.Errorf("%w: field %d ends in a lone backslash", ErrBadRow, len(row)+1)
			}
			switch c = field[i]; c {
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'v':
				buf = append(buf, '\v')
			case 'N':
				return nil, fmt.Errorf("%w: field %d: \\N inside a value", ErrBadRow, len(row)+1)
			case 'x':
				v, k := 0, 0
				for k < 2 && i+1 < len(field) && isHex(field[i+1]) {
					i++
					k++
					v = v*16 + unhex(field[i])
				}
				if k == 0 {
					buf = append(buf, 'x') // PostgreSQL reads "\x" without digits as "x"
				} else {
					buf = append(buf, byte(v))
				}
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := int(c - '0')
				for k := 1; k < 3 && i+1 < len(field) && field[i+1] >= '0' && field[i+1] <= '7'; k++ {
					i++
					v = v*8 + int(field[i]-'0')
				}
				if v > 255 {
					return nil, fmt.Errorf("%w: field %d: octal escape \\%o out of range", ErrBadRow, len(row)+1, v)
				}
				buf = append(buf, byte(v))
			default:
				buf = append(buf, c)
			}
		}
		row = append(row, sql.NullString{String: string(buf), Valid: true})
	}
	return row, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	default:
		return int(c-'A') + 10
	}
}

// A Reader decodes rows from a stream in the canonical encoding, such as
// a [Source.Dump] or a snapshot's partition (see [OpenPartition]).
type Reader struct {
	r    *bufio.Reader
	line int64
	err  error
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next row, or io.EOF after the last one. A final line
// without its newline is an error: dumps always end rows with '\n'.
func (rr *Reader) Next() (Row, error) {
	line, err := rr.NextLine()
	if err != nil {
		return nil, err
	}
	row, err := Decode(line)
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", rr.line, err)
	}
	return row, nil
}

// NextLine returns the next encoded line, newline included, without decoding
// it, or io.EOF after the last one. The slice is valid until the next call.
func (rr *Reader) NextLine() ([]byte, error) {
	if rr.err != nil {
		return nil, rr.err
	}
	line, err := rr.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = rr.r.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	switch {
	case err == io.EOF && len(line) > 0:
		rr.err = fmt.Errorf("%w: line %d has no terminating newline", ErrBadRow, rr.line+1)
		return nil, rr.err
	case err != nil:
		rr.err = err
		return nil, err
	}
	rr.line++
	return line, nil
}
