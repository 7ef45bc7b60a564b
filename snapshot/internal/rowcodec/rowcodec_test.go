package rowcodec

import (
	"bytes"
	"database/sql"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestDecodeRowPostgresEscapes(t *testing.T) {
	v := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	null := sql.NullString{}
	for _, tc := range []struct {
		in   string
		want Row
	}{
		{"a\tb\n", Row{v("a"), v("b")}},
		{`\N` + "\t" + `\\N`, Row{null, v(`\N`)}},
		{`a\tb\nc\\d\re\bf\fg\vh`, Row{v("a\tb\nc\\d\re\bf\fg\vh")}},
		{`\101\x42\x4a\7`, Row{v("ABJ\a")}},
		{`\x\q\.`, Row{v("xq.")}},
		{"", Row{v("")}},
		{"\t", Row{v(""), v("")}},
	} {
		got, err := Decode([]byte(tc.in))
		if err != nil {
			t.Errorf("Decode(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Decode(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
	for _, bad := range []string{`abc\`, `a\Nb`, `\777`} {
		if _, err := Decode([]byte(bad)); !errors.Is(err, ErrBadRow) {
			t.Errorf("Decode(%q) = %v, want ErrBadRow", bad, err)
		}
	}
}

func TestRowRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		row := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) sql.NullString {
			return sql.NullString{String: rapid.String().Draw(t, "s"), Valid: rapid.Bool().Draw(t, "valid")}
		}), 1, 8).Draw(t, "row")
		for i := range row {
			if !row[i].Valid {
				row[i].String = ""
			}
		}
		line := Append(nil, row)
		if bytes.Count(line, []byte{'\n'}) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("encoding %q is not one line", line)
		}
		got, err := Decode(line)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(Row(row), got); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}

func TestRowReader(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	in := "a\t1\n" + long + "\t2\n"
	rr := NewReader(strings.NewReader(in))
	var got []string
	for {
		row, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, row[0].String[:1]+row[1].String)
	}
	if strings.Join(got, ",") != "a1,x2" {
		t.Errorf("rows %v", got)
	}
	rr = NewReader(strings.NewReader("a\nb"))
	if _, err := rr.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := rr.Next(); !errors.Is(err, ErrBadRow) {
		t.Errorf("unterminated last line = %v, want ErrBadRow", err)
	}
}

func FuzzDecodeRow(f *testing.F) {
	for _, s := range []string{"a\tb\n", `\N`, `\\\t\n\101\x4g\`, "\t\t", `\777`, "x\\"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		row, err := Decode(line)
		if err != nil {
			if !errors.Is(err, ErrBadRow) {
				t.Fatalf("error %v does not wrap ErrBadRow", err)
			}
			return
		}
		// Whatever decodes re-encodes canonically and decodes to the same row.
		again, err := Decode(Append(nil, row))
		if err != nil || len(again) != len(row) {
			t.Fatalf("re-decode of %q: %v", line, err)
		}
		for i := range row {
			if again[i] != row[i] {
				t.Fatalf("field %d: %q became %q", i, row[i].String, again[i].String)
			}
		}
	})
}
