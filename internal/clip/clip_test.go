package clip

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"srv-007", "srv-007"},
		{strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{strings.Repeat("a", 65), strings.Repeat("a", 64) + "…(65 bytes)"},
		{strings.Repeat("é", 64), strings.Repeat("é", 64)},                  // 128 bytes, 64 runes
		{strings.Repeat("é", 65), strings.Repeat("é", 64) + "…(130 bytes)"}, // cut on a rune boundary
		{strings.Repeat("x", 10000), strings.Repeat("x", 64) + "…(10000 bytes)"},
		{strings.Repeat("\xff", 70), strings.Repeat("\xff", 64) + "…(70 bytes)"},
	} {
		if got := String(tc.in); got != tc.want {
			t.Errorf("String(%d bytes) = %q, want %q", len(tc.in), got, tc.want)
		}
	}
}
