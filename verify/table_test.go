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
)

var onlyClass = flag.String("verify.class", "", "run only the bug classes whose name contains this")

var printTable = flag.Bool("verify.table", false, "print the bug-class table of BENCHMARKS.md (100 seeds per broken function, 1,000 per correct one)")

// errKilled marks a Sensitive case whose mutants were all killed.
var errKilled = errors.New("every mutant killed")

// runCase runs c once with -rapid.seed=seed and returns whether it failed,
// the time to detection and the time spent after it (shrinking).
func runCase(t *testing.T, c bugCase, seed uint64) (failed, inEdges bool, detect, shrink time.Duration) {
	t.Helper()
	if !c.unseeded {
		setFlag(t, "rapid.seed", strconv.FormatUint(seed, 10))
	}
	start := time.Now()
	rep, err := c.run()
	total := time.Since(start)
	if errors.Is(err, errKilled) {
		return true, true, rep.Search, 0 // Sensitive's cases: nothing shrinks
	}
	return err != nil, rep.Batches == 0, rep.Search, max(0, total-rep.Search)
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
	for _, c := range bugCases() {
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
