//go:build ignore

// mutation-check compares one package's gremlins results with its checked-in
// list of surviving mutants, and fails when the efficacy is below the goal or
// a mutant survives that the list does not explain.
//
//	go run .ci/mutation-check.go -pkg reaper -results gremlins.json -list .ci/mutants/reaper.txt -min 90
//
// List format, one surviving mutant per line ("#" comments, blank lines):
//
//	breaker.go:61:9 CONDITIONALS_BOUNDARY — n is never 0 here: Sweep returns early on an empty inventory
//
// File names are relative to the package directory, as gremlins reports them
// (breaker.go, pgreaper/ledger.go for a file of a subdirectory). A name given
// relative to the module root instead (reaper/breaker.go, with -pkg reaper) is
// read as the same file, on either side: the list and the results are
// compared after both are normalised, so a list written in either form still
// matches. Two lines that name the same mutant once normalised are an error.
//
// Its test: go test .ci/mutation-check.go .ci/mutation-check_test.go
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

type results struct {
	Files []struct {
		FileName  string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

func main() {
	resultsPath := flag.String("results", "", "gremlins -o output (JSON)")
	listPath := flag.String("list", "", "checked-in list of surviving mutants")
	min := flag.Float64("min", 90, "lowest efficacy accepted, in percent: killed ÷ (killed + lived)")
	pkg := flag.String("pkg", "", "the package's directory relative to the module root (reaper, rollout/canary): file names under it are read relative to it")
	flag.Parse()
	ok, err := check(os.Stdout, *resultsPath, *listPath, *pkg, *min)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutation:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func check(w io.Writer, resultsPath, listPath, pkg string, min float64) (bool, error) {
	b, err := os.ReadFile(resultsPath)
	if err != nil {
		return false, err
	}
	var r results
	if err := json.Unmarshal(b, &r); err != nil {
		return false, fmt.Errorf("%s: %w", resultsPath, err)
	}
	listed, err := readList(listPath, pkg)
	if err != nil {
		return false, err
	}

	counts := map[string]int{}
	var unlisted []string
	for _, f := range r.Files {
		for _, m := range f.Mutations {
			counts[m.Status]++
			if m.Status != "LIVED" {
				continue
			}
			key := fmt.Sprintf("%s:%d:%d %s", normFile(f.FileName, pkg), m.Line, m.Column, m.Type)
			if _, ok := listed[key]; ok {
				delete(listed, key)
				continue
			}
			unlisted = append(unlisted, key)
		}
	}
	killed, lived := counts["KILLED"], counts["LIVED"]
	efficacy := 100.0
	if killed+lived > 0 {
		efficacy = 100 * float64(killed) / float64(killed+lived)
	}
	fmt.Fprintf(w, "mutation: %d killed, %d lived (%d listed), %d not covered, %d timed out: efficacy %.1f%% (goal ≥ %.0f%%)\n",
		killed, lived, lived-len(unlisted), counts["NOT COVERED"], counts["TIMED OUT"], efficacy, min)

	ok := true
	if killed+lived == 0 {
		fmt.Fprintln(w, "mutation: FAIL: no mutant was tested (no coverage?)")
		ok = false
	}
	if efficacy < min {
		fmt.Fprintf(w, "mutation: FAIL: efficacy %.1f%% is below %.0f%%\n", efficacy, min)
		ok = false
	}
	sort.Strings(unlisted)
	for _, k := range unlisted {
		fmt.Fprintf(w, "mutation: FAIL: survived and not in %s: %s (kill it with a test, or list it with a reason)\n", listPath, k)
		ok = false
	}
	var stale []string
	for k := range listed {
		stale = append(stale, k)
	}
	sort.Strings(stale)
	for _, k := range stale {
		fmt.Fprintf(w, "mutation: note: listed but no longer survives (remove it from %s): %s\n", listPath, k)
	}
	return ok, nil
}

// normFile returns a file name relative to the package directory pkg: it
// cleans the name and drops a leading "pkg/" (the name relative to the module
// root), so "reaper/act.go" and "act.go" are one file of package reaper.
func normFile(name, pkg string) string {
	name = path.Clean(strings.TrimPrefix(name, "./"))
	if pkg = path.Clean(strings.TrimPrefix(pkg, "./")); pkg != "." && pkg != "" {
		name = strings.TrimPrefix(name, pkg+"/")
	}
	return name
}

// readList returns "file:line:col MUTATOR" → reason, the file name
// normalised by normFile. A missing file lists nothing.
func readList(listPath, pkg string) (map[string]string, error) {
	listed := map[string]string{}
	first := map[string]int{}
	f, err := os.Open(listPath)
	if errors.Is(err, fs.ErrNotExist) {
		return listed, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, _ := strings.Cut(line, "—")
		fields := strings.Fields(key)
		if len(fields) != 2 || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s:%d: want \"file:line:col MUTATOR — reason\", got %q", listPath, n, line)
		}
		file, pos, ok := strings.Cut(fields[0], ":")
		if !ok || file == "" {
			return nil, fmt.Errorf("%s:%d: want \"file:line:col MUTATOR — reason\", got %q", listPath, n, line)
		}
		k := normFile(file, pkg) + ":" + pos + " " + fields[1]
		if prev, dup := first[k]; dup {
			return nil, fmt.Errorf("%s:%d: %s is listed twice (first on line %d; file names are read relative to the package directory %q)", listPath, n, k, prev, pkg)
		}
		first[k] = n
		listed[k] = strings.TrimSpace(reason)
	}
	return listed, sc.Err()
}
