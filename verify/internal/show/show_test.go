package show

import (
	"math"
	"strings"
	"testing"
)

type hidden struct{ x int }

func TestValue(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{5, "int(5)"},
		{math.MinInt, "int(-9223372036854775808)"},
		{math.NaN(), "float64(NaN)"},
		{"a", `string("a")`},
		{nil, "nil"},
		{hidden{3}, "show.hidden{x: 3}"}, // printed even with unexported fields
	} {
		// go-cmp randomizes its spacing per process; Value must not show it.
		for i := 0; i < 3; i++ {
			if got := Value(tc.v); got != tc.want || strings.ContainsRune(got, '\u00a0') {
				t.Errorf("Value(%#v) = %q, want %q", tc.v, got, tc.want)
			}
		}
	}
}

func TestEqualAndDiffNeverPanic(t *testing.T) {
	if _, err := Equal(hidden{1}, hidden{1}); err == nil {
		t.Error("Equal on unexported fields: want an error")
	}
	if eq, err := Equal(1, 1); !eq || err != nil {
		t.Errorf("Equal(1, 1) = %v, %v", eq, err)
	}
	if d := Diff(hidden{1}, hidden{2}); !strings.Contains(d, "x:1") || !strings.Contains(d, "x:2") {
		t.Errorf("Diff fallback: %q", d)
	}
}
