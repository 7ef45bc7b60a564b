package sqlsource

import (
	"bytes"
	"math"
	"testing"
)

// FuzzSQLiteValue checks the SQLite renderer and parser against each other:
// parsing any text and rendering the result gives the text back, and every
// INTEGER, REAL and BLOB value survives render → parse.
func FuzzSQLiteValue(f *testing.F) {
	for _, s := range []string{"", "0", "-0", "01", "3.0", "0.1", "1e+21", "1e21", "Infinity", "-Infinity", "NaN",
		`\x`, `\x00ff`, `\xFF`, `\x0`, "text", "9223372036854775808", "-9223372036854775808", " 1", "1.5e-07"} {
		f.Add(s, uint8(0), int64(0), 0.0, []byte(nil))
	}
	f.Add("", uint8(3), int64(math.MinInt64), math.Inf(-1), []byte{0, 0xff})
	f.Add("x", uint8(4), int64(42), math.SmallestNonzeroFloat64, []byte("\\"))
	f.Fuzz(func(t *testing.T, s string, aff uint8, i int64, fl float64, b []byte) {
		a := affinity(aff % 5)
		v := parseSQLite(s, a)
		got, valid, err := renderSQLite(v)
		if err != nil || !valid || got != s {
			t.Fatalf("render(parse(%q, %d)) = %q, %v, %v", s, a, got, valid, err)
		}
		for _, want := range []any{i, fl, b} {
			if want == nil || (a == affText) {
				continue
			}
			if bb, ok := want.([]byte); ok && bb == nil {
				continue
			}
			if f, ok := want.(float64); ok && math.IsNaN(f) {
				continue // SQLite stores NaN as NULL
			}
			text, _, err := renderSQLite(want)
			if err != nil {
				t.Fatal(err)
			}
			back := parseSQLite(text, a)
			if !same(back, want) {
				t.Fatalf("parse(render(%#v)) = %#v (text %q)", want, back, text)
			}
		}
	})
}

func same(a, b any) bool {
	switch a := a.(type) {
	case []byte:
		bb, ok := b.([]byte)
		return ok && bytes.Equal(a, bb)
	case float64:
		bf, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(bf)
	}
	return a == b
}

func TestAffinity(t *testing.T) {
	for decl, want := range map[string]affinity{
		"INTEGER": affInteger, "bigint": affInteger, "VARCHAR(10)": affText, "clob": affText, "TEXT": affText,
		"BLOB": affBlob, "": affBlob, "REAL": affReal, "double precision": affReal, "FLOAT": affReal,
		"NUMERIC": affNumeric, "DATETIME": affNumeric, "decimal(10,2)": affNumeric, "POINT": affInteger, // "POINT" contains "INT"
	} {
		if got := affinityOf(decl); got != want {
			t.Errorf("affinityOf(%q) = %d, want %d", decl, got, want)
		}
	}
}
