package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// guardRun feeds a recorded stream to run and returns its exit code and output.
func guardRun(t testing.TB, stream string, ci bool, args ...string) (int, string) {
	t.Helper()
	in, err := os.Open(filepath.Join("testdata", stream))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	ciEnv := ""
	if ci {
		ciEnv = "true"
	}
	var out, errOut bytes.Buffer
	code := run(args, in, &out, &errOut, ciEnv)
	return code, out.String() + errOut.String()
}

func TestRecordedStreams(t *testing.T) {
	tests := []struct {
		stream  string
		code    int
		summary string
		want    []string // problems that must be reported
	}{
		{"pass.json", 0, "suiteguard: 4 passed, 0 failed, 0 skipped", nil},
		{"empty.json", 1, "suiteguard: 0 passed, 0 failed, 0 skipped", []string{"no test ran"}},
		{"run-matched-nothing.json", 1, "suiteguard: 0 passed, 0 failed, 0 skipped",
			[]string{"no test ran", "package example.com/sg/good has test files but ran no test"}},
		{"no-tests-in-package.json", 1, "suiteguard: 4 passed, 0 failed, 0 skipped",
			[]string{"package example.com/sg/emptytests has test files but ran no test"}},
		{"skip.json", 1, "suiteguard: 1 passed, 0 failed, 1 skipped",
			[]string{"example.com/sg/skipper.TestSkips was skipped in CI"}},
		{"panic.json", 1, "suiteguard: 1 passed, 1 failed, 0 skipped",
			[]string{"TestPanics: panic: assignment to entry in nil map"}},
		{"fail-after-complete.json", 1, "suiteguard: 1 passed, 1 failed, 0 skipped",
			[]string{"panic: Fail in goroutine after TestLate has completed", "package example.com/sg/late failed outside any test's verdict"}},
		{"build-failed.json", 1, "suiteguard: 4 passed, 1 failed, 0 skipped",
			[]string{"package example.com/sg/buildfail did not build"}},
		{"timeout.json", 1, "suiteguard: 0 passed, 1 failed, 0 skipped",
			[]string{"TestHangs started but never finished", "panic: test timed out"}},
		{"truncated.json", 1, "suiteguard: 1 passed, 0 failed, 0 skipped",
			[]string{"package example.com/sg/good started but the stream ended"}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.stream, ".json"), func(t *testing.T) {
			code, out := guardRun(t, tt.stream, true)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d; output:\n%s", code, tt.code, out)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if last := lines[len(lines)-1]; last != tt.summary {
				t.Errorf("last line = %q, want %q", last, tt.summary)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, "suiteguard: FAIL: ") || !strings.Contains(out, w) {
					t.Errorf("output lacks problem %q:\n%s", w, out)
				}
			}
			if tt.code == 0 && strings.Contains(out, "FAIL") {
				t.Errorf("green run reports a failure:\n%s", out)
			}
		})
	}
}

func TestSkipOutsideCIPasses(t *testing.T) {
	if code, out := guardRun(t, "skip.json", false); code != 0 {
		t.Errorf("exit code = %d, want 0 outside CI:\n%s", code, out)
	}
}

func TestAllowFile(t *testing.T) {
	dir := t.TempDir()
	allow := filepath.Join(dir, "allow")
	write(t, allow, "# comment\nexample.com/sg/skipper TestSkips needs a GPU; runs nightly\n")
	code, out := guardRun(t, "skip.json", true, "-allow", allow)
	if code != 0 {
		t.Fatalf("exit code = %d, want 0 with the skip allowed:\n%s", code, out)
	}
	if !strings.Contains(out, "skip allowed: needs a GPU; runs nightly") {
		t.Errorf("the allowed skip's reason is not shown:\n%s", out)
	}

	write(t, allow, "example.com/sg/emptytests - only helpers, no tests\n")
	if code, out := guardRun(t, "no-tests-in-package.json", true, "-allow", allow); code != 0 {
		t.Errorf("exit code = %d, want 0 with the empty package allowed:\n%s", code, out)
	}

	write(t, allow, "example.com/sg/skipper TestSkips\n") // no reason
	if code, out := guardRun(t, "skip.json", true, "-allow", allow); code != 2 || !strings.Contains(out, "want \"package test reason") {
		t.Errorf("allow line without a reason: exit %d, output:\n%s", code, out)
	}
}

func TestAllowSubtestByParent(t *testing.T) {
	a := allowList{"p TestX": "why"}
	if _, ok := a.skip("p", "TestX/case/deep"); !ok {
		t.Error("subtest of an allowed test is not allowed")
	}
	if _, ok := a.skip("p", "TestXY"); ok {
		t.Error("TestXY allowed by TestX: prefix match is too loose")
	}
	if _, ok := a.skip("q", "TestX"); ok {
		t.Error("allowed in the wrong package")
	}
}

func TestFloor(t *testing.T) {
	dir := t.TempDir()
	floor := filepath.Join(dir, "floor")
	write(t, floor, "# fewest\n5\n")
	code, out := guardRun(t, "pass.json", true, "-floor", floor)
	if code != 1 || !strings.Contains(out, "4 tests passed, below the recorded floor of 5") {
		t.Errorf("below floor: exit %d, output:\n%s", code, out)
	}
	write(t, floor, "4\n")
	if code, out := guardRun(t, "pass.json", true, "-floor", floor); code != 0 {
		t.Errorf("at floor: exit %d, output:\n%s", code, out)
	}
	write(t, floor, "many\n")
	if code, _ := guardRun(t, "pass.json", true, "-floor", floor); code != 2 {
		t.Errorf("malformed floor: exit %d, want 2", code)
	}
	// -write-floor records the count of a green run, and nothing after a red one.
	fresh := filepath.Join(dir, "fresh")
	if code, out := guardRun(t, "pass.json", true, "-floor", fresh, "-write-floor"); code != 0 {
		t.Fatalf("write-floor: exit %d:\n%s", code, out)
	}
	if n, err := readFloor(fresh); err != nil || n != 4 {
		t.Errorf("recorded floor = %d, %v; want 4", n, err)
	}
	red := filepath.Join(dir, "red")
	guardRun(t, "panic.json", true, "-floor", red, "-write-floor")
	if _, err := os.Stat(red); err == nil {
		t.Error("a red run wrote a floor")
	}
}

func TestNotJSONLinesPassThrough(t *testing.T) {
	var out bytes.Buffer
	long := strings.Repeat("x", 1<<20) // longer than bufio.Scanner's default limit
	in := strings.NewReader("go: cannot find main module\n" + long + "\n")
	if code := run(nil, in, &out, &out, "true"); code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	if !strings.Contains(out.String(), "cannot find main module") || !strings.Contains(out.String(), long) {
		t.Error("plain text lines were not passed through")
	}
	if !strings.Contains(out.String(), "no test ran (0 packages, 2 lines that were not go test -json)") {
		t.Errorf("missing problem:\n%.300s", out.String())
	}
}

func TestUsage(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{{"extra"}, {"-write-floor"}, {"-nosuchflag"}} {
		out.Reset()
		if code := run(args, strings.NewReader(""), &out, &out, ""); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
	}
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
