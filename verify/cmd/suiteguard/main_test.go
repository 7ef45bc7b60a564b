package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const streams = "../../suiteguard/testdata"

func guardRun(t testing.TB, stream string, args ...string) (int, string) {
	t.Helper()
	in, err := os.Open(filepath.Join(streams, stream))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	code := run(args, in, &out, &out, "true")
	return code, out.String()
}

func TestExitCodeAndClosingLine(t *testing.T) {
	for stream, want := range map[string]int{"pass.json": 0, "skip.json": 1, "empty.json": 1} {
		code, out := guardRun(t, stream)
		if code != want {
			t.Errorf("%s: exit %d, want %d:\n%s", stream, code, want, out)
		}
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, "suiteguard: ") || !strings.Contains(last, " passed, ") {
			t.Errorf("%s: last line %q is not the summary", stream, last)
		}
	}
}

func TestAllowFileFlag(t *testing.T) {
	allow := filepath.Join(t.TempDir(), "allow")
	os.WriteFile(allow, []byte("example.com/sg/skipper TestSkips needs a GPU\n"), 0o644)
	if code, out := guardRun(t, "skip.json", "-allow", allow); code != 0 {
		t.Errorf("exit %d with the skip allowed:\n%s", code, out)
	}
	os.WriteFile(allow, []byte("example.com/sg/skipper TestSkips\n"), 0o644)
	if code, _ := guardRun(t, "skip.json", "-allow", allow); code != 2 {
		t.Errorf("allow line without a reason: exit %d, want 2", code)
	}
}

func TestFloorFlags(t *testing.T) {
	dir := t.TempDir()
	floor := filepath.Join(dir, "floor")
	os.WriteFile(floor, []byte("5\n"), 0o644)
	if code, _ := guardRun(t, "pass.json", "-floor", floor); code != 1 {
		t.Errorf("below floor: exit %d, want 1", code)
	}
	os.WriteFile(floor, []byte("many\n"), 0o644)
	if code, _ := guardRun(t, "pass.json", "-floor", floor); code != 2 {
		t.Errorf("malformed floor: exit %d, want 2", code)
	}
	fresh := filepath.Join(dir, "fresh")
	if code, out := guardRun(t, "pass.json", "-floor", fresh, "-write-floor"); code != 0 {
		t.Fatalf("write-floor: exit %d:\n%s", code, out)
	}
	if b, _ := os.ReadFile(fresh); !strings.HasSuffix(string(b), "\n4\n") {
		t.Errorf("recorded floor file = %q, want the count 4", b)
	}
	red := filepath.Join(dir, "red")
	guardRun(t, "panic.json", "-floor", red, "-write-floor")
	if _, err := os.Stat(red); err == nil {
		t.Error("a red run wrote a floor")
	}
}

func TestUsage(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{{"extra"}, {"-write-floor"}, {"-nosuchflag"}} {
		if code := run(args, strings.NewReader(""), &out, &out, ""); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
	}
}

func TestCIFlag(t *testing.T) {
	tests := []struct {
		env  string
		args []string
		want int
	}{
		{"", nil, 0},                  // laptop: a skip is fine
		{"", []string{"-ci"}, 1},      // the flag alone applies CI's rules
		{"false", []string{"-ci"}, 1}, // and wins over the variable
		{"true", nil, 1},              // the variable alone, as before
		{"true", []string{"-ci=false"}, 0},
		{"0", nil, 0},
	}
	for _, tt := range tests {
		in, err := os.Open(filepath.Join(streams, "skip.json"))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if code := run(tt.args, in, &out, &out, tt.env); code != tt.want {
			t.Errorf("CI=%q %q: exit %d, want %d:\n%s", tt.env, tt.args, code, tt.want, out.String())
		}
		in.Close()
	}
}

func TestFloorBlamesAbsentServers(t *testing.T) {
	floor := filepath.Join(t.TempDir(), "floor")
	os.WriteFile(floor, []byte("5\n"), 0o644)
	in, err := os.Open(filepath.Join(streams, "absent.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	code := run([]string{"-floor", floor}, in, &out, &out, "")
	if code != 1 || !strings.Contains(out.String(), "because 3 tests skipped as their servers are absent") ||
		!strings.HasSuffix(out.String(), "4 skipped (3 for absent servers)\n") {
		t.Errorf("exit %d, want 1 with the absent servers named:\n%s", code, out.String())
	}
}
