//go:build ignore

// mutation-check compares one package's gremlins results with its checked-in
// list of surviving mutants, and fails when the efficacy is below the goal or
// a mutant survives that the list does not explain.
//
//	go run .ci/mutation-check.go -results gremlins.json -list .ci/mutants/reaper.txt -min 90
//
// List format, one surviving mutant per line ("#" comments, blank lines):
//
//	breaker.go:61:9 CONDITIONALS_BOUNDARY — n is never 0 here: Sweep returns early on an empty inventory
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
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
	flag.Parse()
	ok, err := check(*resultsPath, *listPath, *min)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutation:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func check(resultsPath, listPath string, min float64) (bool, error) {
	b, err := os.ReadFile(resultsPath)
	if err != nil {
		return false, err
	}
	var r results
	if err := json.Unmarshal(b, &r); err != nil {
		return false, fmt.Errorf("%s: %w", resultsPath, err)
	}
	listed, err := readList(listPath)
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
			key := fmt.Sprintf("%s:%d:%d %s", f.FileName, m.Line, m.Column, m.Type)
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
	fmt.Printf("mutation: %d killed, %d lived (%d listed), %d not covered, %d timed out: efficacy %.1f%% (goal ≥ %.0f%%)\n",
		killed, lived, lived-len(unlisted), counts["NOT COVERED"], counts["TIMED OUT"], efficacy, min)

	ok := true
	if killed+lived == 0 {
		fmt.Println("mutation: FAIL: no mutant was tested (no coverage?)")
		ok = false
	}
	if efficacy < min {
		fmt.Printf("mutation: FAIL: efficacy %.1f%% is below %.0f%%\n", efficacy, min)
		ok = false
	}
	sort.Strings(unlisted)
	for _, k := range unlisted {
		fmt.Printf("mutation: FAIL: survived and not in %s: %s (kill it with a test, or list it with a reason)\n", listPath, k)
		ok = false
	}
	var stale []string
	for k := range listed {
		stale = append(stale, k)
	}
	sort.Strings(stale)
	for _, k := range stale {
		fmt.Printf("mutation: note: listed but no longer survives (remove it from %s): %s\n", listPath, k)
	}
	return ok, nil
}

// readList returns "file:line:col MUTATOR" → reason. A missing file lists nothing.
func readList(path string) (map[string]string, error) {
	listed := map[string]string{}
	f, err := os.Open(path)
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
			return nil, fmt.Errorf("%s:%d: want \"file:line:col MUTATOR — reason\", got %q", path, n, line)
		}
		listed[fields[0]+" "+fields[1]] = strings.TrimSpace(reason)
	}
	return listed, sc.Err()
}
