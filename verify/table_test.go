package verify_test

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/verify"
)

var onlyClass = flag.String("verify.class", "", "run only the bug classes whose name contains this")

var printTable = flag.Bool("verify.table", false, "print the bug-class table of BENCHMARKS.md (100 seeds per broken function, 1,000 per correct one)")

// errKilled marks a Sensitive case whose mutants were all killed.
var errKilled = errors.New("every mutant killed")

// runCase runs c once with -rapid.seed=seed (an unseeded c with none) and
// returns whether it failed, whether among the edge values, the time to
// detection and the time spent after it (shrinking).
func runCase(t *testing.T, c bugCase, seed uint64) (failed, inEdges bool, detect, shrink time.Duration) {
	t.Helper()
	if c.unseeded {
		seed = 0 // no seed, whatever an earlier row set
	}
	setFlag(t, "rapid.seed", strconv.FormatUint(seed, 10))
	start := time.Now()
	rep, err := c.run()
	total := time.Since(start)
	inEdges = rep.Batches == 0 && rep.Edges > 0
	if errors.Is(err, errKilled) {
		return true, inEdges, rep.Search, 0 // Sensitive's cases: nothing shrinks
	}
	return err != nil, inEdges, rep.Search, max(0, total-rep.Search)
}

// TestBugClassesCaught pins the catch rate CI can afford: every broken
// function caught on each of 20 seeds, every correct one passing on 20.
// With -verify.table it runs 100 seeds (1,000 for correct functions) and
// prints the table of BENCHMARKS.md.
func TestBugClassesCaught(t *testing.T) {
	runs, correctRuns := 20, 20
	if *printTable {
		runs, correctRuns = 100, 1000
	}
	if testing.Short() {
		runs, correctRuns = 5, 5
	}
	var rows []string
	for _, c := range append(bugCases(), reachRows()...) {
		if !strings.Contains(c.class, *onlyClass) {
			continue
		}
		n := runs
		if c.correct {
			n = correctRuns
		}
		caught, inEdges := 0, 0
		var detect, shrink []time.Duration
		for i := range n {
			f, e, d, s := runCase(t, c, uint64(i+1))
			if f {
				caught++
				inEdges += b2i(e)
				detect, shrink = append(detect, d), append(shrink, s)
			}
		}
		want := n
		if c.correct {
			want = 0
		}
		if caught != want {
			t.Errorf("%s / %s: caught %d of %d, want %d", c.class, c.shape, caught, n, want)
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %d | %s | %s |", c.class, c.shape, c.gen,
			rate(caught, n, c.correct), inEdges, median(detect), median(shrink)))
	}
	if *printTable {
		fmt.Println("| class | shape | generator | caught | of which among edges | median time to detection | median shrinking |")
		fmt.Println("|---|---|---|---|---|---|---|")
		for _, r := range rows {
			fmt.Println(r)
		}
	}
}

func rate(caught, n int, correct bool) string {
	if correct {
		return fmt.Sprintf("%d false positives / %d", caught, n)
	}
	return fmt.Sprintf("%d/%d", caught, n)
}

func median(ds []time.Duration) string {
	if len(ds) == 0 {
		return "—"
	}
	slices.Sort(ds)
	return ds[len(ds)/2].Round(time.Microsecond).String()
}

// The table's columns are computed, row by row: an unseeded row runs with
// no -rapid.seed (not the previous row's), and a Sensitive row counts as
// found among the edges only when its last check found it there.
func TestTableRowsHonest(t *testing.T) {
	var saw string
	seen := bugCase{run: func() (verify.Report, error) {
		saw = flag.Lookup("rapid.seed").Value.String()
		return verify.Report{}, nil
	}}
	runCase(t, seen, 7)
	if saw != "7" {
		t.Errorf("seeded row ran with -rapid.seed=%s, want 7", saw)
	}
	seen.unseeded = true
	runCase(t, seen, 8)
	if saw != "0" {
		t.Errorf("unseeded row ran with -rapid.seed=%s, want none (0)", saw)
	}
	inBatch := bugCase{unseeded: true, run: func() (verify.Report, error) {
		return verify.Report{Edges: 10, Batches: 3}, errKilled
	}}
	if found, inEdges, _, _ := runCase(t, inBatch, 1); !found || inEdges {
		t.Errorf("a Sensitive row killed in batch 3: found %t, among edges %t; want true, false", found, inEdges)
	}
}
