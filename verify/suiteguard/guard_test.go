package suiteguard

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check feeds a recorded stream from testdata to Check.
func check(t testing.TB, stream string, opts Options) (Summary, string) {
	t.Helper()
	in, err := os.Open(filepath.Join("testdata", stream))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	return Check(in, &out, opts), out.String()
}

func TestRecordedStreams(t *testing.T) {
	tests := []struct {
		stream                  string
		passed, failed, skipped int
		want                    []string // problems that must be reported
	}{
		{"pass.json", 4, 0, 0, nil},
		{"empty.json", 0, 0, 0, []string{"no test ran"}},
		{"run-matched-nothing.json", 0, 0, 0,
			[]string{"no test ran", "package example.com/sg/good has test files but ran no test"}},
		{"no-tests-in-package.json", 4, 0, 0,
			[]string{"package example.com/sg/emptytests has test files but ran no test"}},
		{"skip.json", 1, 0, 1, []string{"example.com/sg/skipper.TestSkips was skipped in CI"}},
		{"panic.json", 1, 1, 0, []string{"TestPanics: panic: assignment to entry in nil map"}},
		{"fail-after-complete.json", 1, 1, 0,
			[]string{"panic: Fail in goroutine after TestLate has completed", "package example.com/sg/late failed outside any test's verdict"}},
		{"build-failed.json", 4, 1, 0, []string{"package example.com/sg/buildfail did not build"}},
		{"timeout.json", 0, 1, 0, []string{"TestHangs started but never finished", "panic: test timed out"}},
		{"truncated.json", 1, 0, 0, []string{"package example.com/sg/good started but the stream ended"}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.stream, ".json"), func(t *testing.T) {
			sum, out := check(t, tt.stream, Options{CI: true})
			if sum.Passed != tt.passed || sum.Failed != tt.failed || sum.Skipped != tt.skipped {
				t.Errorf("got %v, want %d passed, %d failed, %d skipped", sum, tt.passed, tt.failed, tt.skipped)
			}
			if sum.OK() != (len(tt.want) == 0) {
				t.Errorf("OK() = %v with problems %q", sum.OK(), sum.Problems)
			}
			all := strings.Join(sum.Problems, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q:\n%s", w, all)
				}
			}
			if sum.OK() && strings.Contains(out, "FAIL") {
				t.Errorf("green run printed a failure:\n%s", out)
			}
		})
	}
}

func TestFailingOutputIsShown(t *testing.T) {
	_, out := check(t, "panic.json", Options{CI: true})
	if !strings.Contains(out, "--- FAIL: TestPanics") || strings.Contains(out, "=== RUN   TestOK") {
		t.Errorf("want the failing test's output and not the passing one's:\n%s", out)
	}
	_, verbose := check(t, "panic.json", Options{CI: true, Verbose: true})
	if !strings.Contains(verbose, "=== RUN   TestOK") {
		t.Errorf("Verbose does not pass everything through:\n%s", verbose)
	}
}

func TestOnlySkipsIsNotGreen(t *testing.T) {
	stream := `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"skip","Package":"p","Test":"TestA"}
`
	sum := Check(strings.NewReader(stream), &bytes.Buffer{}, Options{})
	if sum.OK() || !strings.Contains(strings.Join(sum.Problems, ""), "no test passed") {
		t.Errorf("a run of skips only is green: %v %q", sum, sum.Problems)
	}
}

func TestSkipOutsideCIPasses(t *testing.T) {
	if sum, _ := check(t, "skip.json", Options{}); !sum.OK() {
		t.Errorf("outside CI a skip is not a problem; got %q", sum.Problems)
	}
}

func TestAllowList(t *testing.T) {
	allow, err := ParseAllow(strings.NewReader("# comment\nexample.com/sg/skipper TestSkips needs a GPU; runs nightly\n"), "allow")
	if err != nil {
		t.Fatal(err)
	}
	sum, out := check(t, "skip.json", Options{CI: true, Allow: allow})
	if !sum.OK() {
		t.Fatalf("allowed skip still fails: %q", sum.Problems)
	}
	if !strings.Contains(out, "skip allowed: needs a GPU; runs nightly") {
		t.Errorf("the allowed skip's reason is not shown:\n%s", out)
	}

	allow, _ = ParseAllow(strings.NewReader("example.com/sg/emptytests - only helpers, no tests\n"), "allow")
	if sum, _ := check(t, "no-tests-in-package.json", Options{CI: true, Allow: allow}); !sum.OK() {
		t.Errorf("allowed empty package still fails: %q", sum.Problems)
	}

	if _, err := ParseAllow(strings.NewReader("example.com/sg/skipper TestSkips\n"), "allow"); err == nil ||
		!strings.Contains(err.Error(), "allow:1") {
		t.Errorf("allow line without a reason: err = %v, want one naming allow:1", err)
	}
}

func TestAllowSubtestByParent(t *testing.T) {
	a := AllowList{"p TestX": "why"}
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
	if sum, _ := check(t, "pass.json", Options{Floor: 5}); sum.OK() ||
		!strings.Contains(strings.Join(sum.Problems, ""), "4 tests passed, below the recorded floor of 5") {
		t.Errorf("below floor: %q", sum.Problems)
	}
	if sum, _ := check(t, "pass.json", Options{Floor: 4}); !sum.OK() {
		t.Errorf("at floor: %q", sum.Problems)
	}
	path := filepath.Join(t.TempDir(), "floor")
	if err := WriteFloor(path, 42); err != nil {
		t.Fatal(err)
	}
	if n, err := ReadFloor(path); n != 42 || err != nil {
		t.Errorf("ReadFloor after WriteFloor(42) = %d, %v", n, err)
	}
	if n, err := ReadFloor(filepath.Join(t.TempDir(), "missing")); n != 0 || err != nil {
		t.Errorf("missing floor file = %d, %v; want no floor", n, err)
	}
	os.WriteFile(path, []byte("many\n"), 0o644)
	if _, err := ReadFloor(path); err == nil {
		t.Error("malformed floor file accepted")
	}
}

func TestNotJSONLinesPassThrough(t *testing.T) {
	var out bytes.Buffer
	long := strings.Repeat("x", 1<<20) // longer than bufio.Scanner's default limit
	sum := Check(strings.NewReader("go: cannot find main module\n"+long+"\n"), &out, Options{})
	if !strings.Contains(out.String(), "cannot find main module") || !strings.Contains(out.String(), long) {
		t.Error("plain text lines were not passed through")
	}
	if want := "no test ran (0 packages, 2 lines that were not go test -json)"; len(sum.Problems) != 1 || sum.Problems[0] != want {
		t.Errorf("problems = %q, want [%q]", sum.Problems, want)
	}
}
