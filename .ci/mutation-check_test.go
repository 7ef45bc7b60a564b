//go:build ignore

// go test .ci/mutation-check.go .ci/mutation-check_test.go
package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gremlinsJSON is the shape gremlins v0.6.0 writes with -o: file names
// relative to the package directory.
const gremlinsJSON = `{"files":[
 {"file_name":"act.go","mutations":[
  {"line":191,"column":25,"type":"CONDITIONALS_BOUNDARY","status":"LIVED"},
  {"line":10,"column":2,"type":"CONDITIONALS_NEGATION","status":"KILLED"},
  {"line":11,"column":2,"type":"CONDITIONALS_NEGATION","status":"KILLED"},
  {"line":12,"column":2,"type":"CONDITIONALS_NEGATION","status":"KILLED"},
  {"line":13,"column":2,"type":"CONDITIONALS_NEGATION","status":"KILLED"},
  {"line":14,"column":2,"type":"CONDITIONALS_NEGATION","status":"KILLED"},
  {"line":15,"column":2,"type":"CONDITIONALS_NEGATION","status":"KILLED"},
  {"line":16,"column":2,"type":"CONDITIONALS_NEGATION","status":"KILLED"},
  {"line":17,"column":2,"type":"CONDITIONALS_NEGATION","status":"KILLED"},
  {"line":18,"column":2,"type":"CONDITIONALS_NEGATION","status":"KILLED"},
  {"line":19,"column":2,"type":"CONDITIONALS_NEGATION","status":"KILLED"}]},
 {"file_name":"pgreaper/ledger.go","mutations":[
  {"line":5,"column":7,"type":"ARITHMETIC_BASE","status":"LIVED"}]}]}`

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPathForms: a list that names its survivors relative to the module root
// (reaper/act.go, as .ci/mutants/reaper.txt did) and one that names them
// relative to the package (act.go, as gremlins does) both pass: before, the
// first form counted every listed survivor as unlisted.
func TestPathForms(t *testing.T) {
	results := write(t, "r.json", gremlinsJSON)
	for name, list := range map[string]string{
		"package-relative": "act.go:191:25 CONDITIONALS_BOUNDARY — why\npgreaper/ledger.go:5:7 ARITHMETIC_BASE — why\n",
		"module-relative":  "reaper/act.go:191:25 CONDITIONALS_BOUNDARY — why\nreaper/pgreaper/ledger.go:5:7 ARITHMETIC_BASE — why\n",
		"mixed, ./":        "./reaper/act.go:191:25 CONDITIONALS_BOUNDARY — why\n./pgreaper/ledger.go:5:7 ARITHMETIC_BASE — why\n",
	} {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			ok, err := check(&out, results, write(t, "list.txt", list), "reaper", 80)
			if err != nil || !ok {
				t.Fatalf("check = %v, %v; want true, nil\n%s", ok, err, out.String())
			}
			if strings.Contains(out.String(), "FAIL") || strings.Contains(out.String(), "note:") {
				t.Fatalf("want no failure and no stale entry:\n%s", out.String())
			}
		})
	}
}

// TestUnlistedStillFails: normalising never hides a survivor.
func TestUnlistedStillFails(t *testing.T) {
	results := write(t, "r.json", gremlinsJSON)
	var out strings.Builder
	ok, err := check(&out, results, write(t, "list.txt", "reaper/act.go:191:25 CONDITIONALS_BOUNDARY — why\n"), "reaper", 80)
	if err != nil || ok {
		t.Fatalf("check = %v, %v; want false, nil", ok, err)
	}
	if !strings.Contains(out.String(), "not in") || !strings.Contains(out.String(), "pgreaper/ledger.go:5:7 ARITHMETIC_BASE") {
		t.Fatalf("want the unlisted survivor named:\n%s", out.String())
	}
	// Without -pkg the module-relative form is not the package's file.
	out.Reset()
	ok, _ = check(&out, results, write(t, "list.txt", "reaper/act.go:191:25 CONDITIONALS_BOUNDARY — why\npgreaper/ledger.go:5:7 ARITHMETIC_BASE — why\n"), "", 80)
	if ok {
		t.Fatalf("without -pkg, reaper/act.go matched act.go:\n%s", out.String())
	}
}

// TestDuplicateAfterNormalising: the same mutant in both forms is one line too many.
func TestDuplicateAfterNormalising(t *testing.T) {
	list := write(t, "list.txt", "act.go:191:25 CONDITIONALS_BOUNDARY — why\nreaper/act.go:191:25 CONDITIONALS_BOUNDARY — why again\n")
	_, err := readList(list, "reaper")
	if err == nil || !strings.Contains(err.Error(), "listed twice") || !strings.Contains(err.Error(), ":2:") {
		t.Fatalf("readList = %v; want a listed-twice error naming line 2", err)
	}
}

// TestCheckedInLists: every checked-in list parses, and no line names its
// file relative to the module root (one form in every list).
func TestCheckedInLists(t *testing.T) {
	lists, err := filepath.Glob(filepath.Join("mutants", "*.txt"))
	if err != nil || len(lists) == 0 {
		lists, err = filepath.Glob(filepath.Join(".ci", "mutants", "*.txt"))
	}
	if err != nil || len(lists) == 0 {
		t.Fatalf("no lists found (run from the module root or .ci): %v", err)
	}
	for _, l := range lists {
		pkg := strings.ReplaceAll(strings.TrimSuffix(filepath.Base(l), ".txt"), "-", "/")
		got, err := readList(l, pkg)
		if err != nil {
			t.Errorf("%s: %v", l, err)
			continue
		}
		raw, err := readList(l, "")
		if err != nil {
			t.Fatal(err)
		}
		for k := range raw {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: %q names its file relative to the module root; write it as gremlins reports it, relative to %s/", l, k, pkg)
			}
		}
	}
}
