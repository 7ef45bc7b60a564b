package suiteguard

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzGuard feeds arbitrary streams: the guard must never panic, and must
// never report green for a run in which nothing passed.
func FuzzGuard(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.json")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		var out bytes.Buffer
		sum := Check(bytes.NewReader(stream), &out, Options{CI: true})
		if sum.OK() && sum.Passed == 0 {
			t.Fatalf("green with nothing passed: %v", sum)
		}
		if !sum.OK() && len(sum.Problems) == 0 {
			t.Fatal("red without a reason")
		}
	})
}

func FuzzAllowFile(f *testing.F) {
	f.Add("pkg TestX reason\n# c\n\npkg - why\n")
	f.Add("pkg TestX\n")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAllow(strings.NewReader(s), "allow")
		if err != nil {
			return
		}
		for k, reason := range a {
			pkg, test, _ := strings.Cut(k, " ")
			if got, ok := a.skip(pkg, test); !ok || got != reason || reason == "" {
				t.Fatalf("entry %q: skip() = %q, %v", k, got, ok)
			}
		}
	})
}
