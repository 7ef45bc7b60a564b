package suiteguard

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each limit in the guard, pinned on both sides (found by mutation testing:
// see TESTING.md).

func TestAllowLineNeedsThreeFields(t *testing.T) {
	a, err := ParseAllow(strings.NewReader("p TestX reason\n"), "allow")
	if err != nil || a["p TestX"] != "reason" {
		t.Errorf("three fields (package, test, one-word reason): %v, %v", a, err)
	}
	if _, err := ParseAllow(strings.NewReader("p TestX\n"), "allow"); err == nil {
		t.Error("two fields accepted: an allow line without a reason")
	}
}

func TestAllowErrorNamesTheLine(t *testing.T) {
	_, err := ParseAllow(strings.NewReader("# comment\n\np TestX\n"), "skips-allowed")
	if err == nil || !strings.Contains(err.Error(), "skips-allowed:3:") {
		t.Errorf("error %v does not name line 3", err)
	}
}

func TestFloorZeroIsNoFloor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "floor")
	for body, want := range map[string]int{"0\n": 0, "1\n": 1} {
		os.WriteFile(path, []byte(body), 0o644)
		if n, err := ReadFloor(path); n != want || err != nil {
			t.Errorf("ReadFloor(%q) = %d, %v; want %d", body, n, err, want)
		}
	}
	os.WriteFile(path, []byte("-1\n"), 0o644)
	if _, err := ReadFloor(path); err == nil {
		t.Error("negative floor accepted")
	}
	for _, floor := range []int{0, -5} {
		if sum, _ := check(t, "pass.json", Options{Floor: floor}); !sum.OK() {
			t.Errorf("Floor %d: %q, want no floor", floor, sum.Problems)
		}
	}
}

// A run where as many tests failed as passed still ran tests.
func TestPassedAndFailedAreBothCounted(t *testing.T) {
	stream := `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"fail","Package":"p","Test":"TestB"}
{"Action":"fail","Package":"p"}
`
	sum := Check(strings.NewReader(stream), &bytes.Buffer{}, Options{})
	all := strings.Join(sum.Problems, "\n")
	if strings.Contains(all, "no test ran") || !strings.Contains(all, "1 tests or packages failed") {
		t.Errorf("1 passed and 1 failed: %q", sum.Problems)
	}
}

func TestNoTestRanCountsPackages(t *testing.T) {
	sum, _ := check(t, "run-matched-nothing.json", Options{})
	if all := strings.Join(sum.Problems, "\n"); !strings.Contains(all, "no test ran (1 packages, 0 lines") {
		t.Errorf("problems %q lack the package count", sum.Problems)
	}
}

// go test prints a bare PASS per package; the guard drops it unless Verbose.
func TestPackagePASSLineOnlyWhenVerbose(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		_, out := check(t, "pass.json", Options{Verbose: verbose})
		if got := strings.Contains("\n"+out, "\nPASS\n"); got != verbose {
			t.Errorf("Verbose=%v: PASS line shown = %v:\n%s", verbose, got, out)
		}
	}
}
