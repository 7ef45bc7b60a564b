package sqlsource

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// affinity is a SQLite column's type affinity, derived from its declared
// type by SQLite's rules (https://sqlite.org/datatype3.html#affname).
type affinity uint8

const (
	affBlob affinity = iota // declared BLOB or no type
	affText
	affNumeric
	affInteger
	affReal
)

func affinityOf(declared string) affinity {
	t := strings.ToUpper(declared)
	switch {
	case strings.Contains(t, "INT"):
		return affInteger
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return affText
	case strings.Contains(t, "BLOB"), t == "":
		return affBlob
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return affReal
	}
	return affNumeric
}

// renderSQLite renders a value as modernc.org/sqlite returns it into the
// text that travels in COPY TEXT fields:
//
//	NULL     → NULL (\N in the encoding)
//	INTEGER  → decimal, as strconv.FormatInt: "-42"
//	REAL     → shortest round-trip decimal, always with a '.' or an exponent
//	           so it never reads as an INTEGER: "3.0", "0.1", "1e+21";
//	           infinities as "Infinity" and "-Infinity"
//	TEXT     → the text itself
//	BLOB     → `\x` and lowercase hex, as PostgreSQL renders bytea: `\x00ff`
//
// [parseSQLite] reverses it.
func renderSQLite(v any) (s string, valid bool, err error) {
	switch v := v.(type) {
	case nil:
		return "", false, nil
	case int64:
		return strconv.FormatInt(v, 10), true, nil
	case float64:
		return formatReal(v), true, nil
	case string:
		return v, true, nil
	case []byte:
		return `\x` + hex.EncodeToString(v), true, nil
	}
	return "", false, fmt.Errorf("sqlsource: unexpected SQLite value of type %T", v)
}

func formatReal(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// parseSQLite turns rendered text back into the value to bind for a column
// of affinity aff, so that the stored value renders to the same text:
// renderSQLite(parseSQLite(s, aff)) == s for every s.
//
// A TEXT-affinity column gets the text. Other columns get an int64, a
// float64 or a []byte when s is exactly how renderSQLite writes one, and
// the text otherwise. SQLite's dynamic typing makes two cases lossy in
// storage class though not in rendering: a BLOB stored in a TEXT column
// comes back as the text `\x…`, and a TEXT value in another column that
// reads exactly like a rendered INTEGER, REAL or BLOB comes back as one.
func parseSQLite(s string, aff affinity) any {
	if aff == affText || s == "" {
		return s
	}
	if strings.HasPrefix(s, `\x`) {
		h := s[2:]
		if len(h)%2 == 0 && isLowerHex(h) {
			b, _ := hex.DecodeString(h)
			if b == nil {
				b = []byte{}
			}
			return b
		}
		return s
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if strconv.FormatInt(i, 10) == s {
			return i
		}
		return s
	}
	var f float64
	switch s {
	case "Infinity":
		f = math.Inf(1)
	case "-Infinity":
		f = math.Inf(-1)
	default:
		var err error
		if f, err = strconv.ParseFloat(s, 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return s
		}
	}
	if formatReal(f) != s {
		return s
	}
	return f
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
