package canary

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// criticalU05 is the published table of critical values of U (the smaller
// of U and n1·n2 − U) for a two-tailed test at α = 0.05: reject when
// U ≤ the value. Row n2, the first value is for n1 = first, then n1+1 … 20.
// Source: "Table of Critical Values … α = 0.05 for the U statistic",
// numeracy-bank.net/?q=t/stt/mwu/3 (the same values as the classic tables in
// Siegel & Castellan and the "Critical values of Mann-Whitney U at p = 0.05
// (two-tailed test)" sheet).
var criticalU05 = map[int]struct {
	first int
	row   string
}{
	2:  {8, "0 0 0 0 1 1 1 1 1 2 2 2 2"},
	3:  {5, "0 1 1 2 2 3 3 4 4 5 5 6 6 7 7 8"},
	4:  {4, "0 1 2 3 4 4 5 6 7 8 9 10 11 11 12 13 13"},
	5:  {3, "0 1 2 3 5 6 7 8 9 11 12 13 14 15 17 18 19 20"},
	6:  {3, "1 2 3 5 6 8 10 11 13 14 16 17 19 21 22 24 25 27"},
	7:  {3, "1 3 5 6 8 10 12 14 16 18 20 22 24 26 28 30 32 34"},
	8:  {2, "0 2 4 6 8 10 13 15 17 19 22 24 26 29 31 34 36 38 41"},
	9:  {2, "0 2 4 7 10 12 15 17 20 23 26 28 31 34 37 39 42 45 48"},
	10: {2, "0 3 5 8 11 14 17 20 23 26 29 33 36 39 42 45 48 52 55"},
	11: {2, "0 3 6 9 13 16 19 23 26 30 33 37 40 44 47 51 55 58 62"},
	12: {2, "1 4 7 11 14 18 22 26 29 33 37 41 45 49 53 57 61 65 69"},
	13: {2, "1 4 8 12 16 20 24 28 33 37 41 45 50 54 59 63 67 72 76"},
	14: {2, "1 5 9 13 17 22 26 31 36 40 45 50 55 59 64 67 74 78 83"},
	15: {2, "1 5 10 14 19 24 29 34 39 44 49 54 59 64 70 75 80 85 90"},
	16: {2, "1 6 11 15 21 26 31 37 42 47 53 59 64 70 75 81 86 92 98"},
	17: {2, "2 6 11 17 22 28 34 39 45 51 57 63 67 75 81 87 93 99 105"},
	18: {2, "2 7 12 18 24 30 36 42 48 55 61 67 74 80 86 93 99 106 112"},
	19: {2, "2 7 13 19 25 32 38 45 52 58 65 72 78 85 92 99 106 113 119"},
	20: {2, "2 8 13 20 27 34 41 48 55 62 69 76 83 90 98 105 112 119 127"},
}

// TestCriticalValues checks the exact null distribution against every entry
// of the published table: the critical value c is the largest U with a
// two-sided p-value ≤ 0.05.
func TestCriticalValues(t *testing.T) {
	checked := 0
	for n2, r := range criticalU05 {
		for k, field := range strings.Fields(r.row) {
			n1 := r.first + k
			want, err := strconv.Atoi(field)
			if err != nil {
				t.Fatal(err)
			}
			if fix, ok := misprints[[2]int{min(n1, n2), max(n1, n2)}]; ok {
				if want != fix.printed {
					t.Fatalf("n1=%d n2=%d: table changed: %d", n1, n2, want)
				}
				want = fix.correct
			}
			got := criticalValue(n1, n2, 0.05)
			if got != want {
				t.Errorf("n1=%d n2=%d: critical U = %d, table says %d", n1, n2, got, want)
			}
			checked++
		}
	}
	if checked != 347 {
		t.Fatalf("checked %d table entries, want 347", checked)
	}
}

// misprints in the published table, each confirmed by enumerating the null
// distribution independently (Python: all C(24, 4) rank subsets for 4×20,
// a subset-sum count over ranks for 14×17):
//   - n=4,20: printed 13, but 2·P(U ≤ 14) = 0.045360 ≤ 0.05 (15: 0.055524).
//   - n=14,17: printed 67 (the row runs 59 64 67 74), but
//     2·P(U ≤ 69) = 0.048385 ≤ 0.05 (70: 0.053301).
var misprints = map[[2]int]struct{ printed, correct int }{
	{4, 20}:  {13, 14},
	{14, 17}: {67, 69},
}

func TestMisprintsByEnumeration(t *testing.T) {
	for _, tc := range []struct {
		n1, n2, u int
		p         float64 // 2·P(U ≤ u), by independent enumeration
	}{
		{4, 20, 13, 0.036514210427253904},
		{4, 20, 14, 0.04536043666478449},
		{4, 20, 15, 0.05552418595896857},
		{14, 17, 67, 0.039656972117600886},
		{14, 17, 69, 0.04838472670851897},
		{14, 17, 70, 0.053300661497208385},
	} {
		if got := exactP(tc.u, tc.n1, tc.n2, twoSided); math.Abs(got-tc.p) > 1e-12 {
			t.Errorf("n1=%d n2=%d: 2·P(U ≤ %d) = %.17g, enumeration says %.17g", tc.n1, tc.n2, tc.u, got, tc.p)
		}
	}
}

// criticalValue is the largest c with 2·P(U ≤ c) ≤ alpha, or −1. It reads
// the null distribution once, then confirms c with exactP itself.
func criticalValue(n1, n2 int, alpha float64) int {
	counts, total := uCounts(n1, n2)
	c, cum := -1, 0.0
	for u := 0; 2*u <= n1*n2; u++ {
		cum += counts[u]
		if 2*cum/total > alpha+1e-12 {
			break
		}
		c = u
	}
	// exactP two-sided, below the mean, is 2·P(U ≤ u).
	if c >= 0 && exactP(c, n1, n2, twoSided) > alpha+1e-12 || exactP(c+1, n1, n2, twoSided) <= alpha+1e-12 {
		return -2 // exactP disagrees with the distribution
	}
	return c
}

func sorted(xs ...float64) []float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}

// Known outputs of R's wilcox.test(x, y, …) (x is the first argument; its W
// is our U).
func TestAgainstR(t *testing.T) {
	// R's own example, ?wilcox.test (stats), from Hollander & Wolfe (1973),
	// 69f: permeability constants at term (x) and at 12–26 weeks (y).
	//   wilcox.test(x, y, alternative = "g")  ->  W = 35, p-value = 0.1272
	// (exact: no ties, both samples < 50).
	hwX := sorted(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)
	hwY := sorted(1.15, 0.88, 0.90, 0.74, 1.21)
	// From endmemo.com/r/wilcoxon.php (with ties: normal approximation with
	// continuity correction, "cannot compute exact p-value with ties"):
	//   wilcox.test(x, y)  ->  W = 51.5, p-value = 0.5966
	//   wilcox.test(x, y2) ->  W = 0,    p-value = 0.001364
	emX := sorted(1, 5, 9, 24, 56, 21, 3, 7, 21, 4)
	emY := sorted(12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5)
	emY2 := sorted(1233, 4356, 987, 39999, 1111, 200000)
	// R's ?wilcox.test example on datasets::airquality (NAs dropped):
	//   wilcox.test(Ozone ~ Month, data = airquality,
	//               subset = Month %in% c(5, 8))
	//   ->  W = 127.5, p-value = 0.0001208  (ties: normal approximation)
	may := sorted(41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4, 32, 23, 45, 115, 37)
	aug := sorted(39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23, 31, 44, 21, 9, 45, 168, 73, 76, 118, 84, 85)

	for _, tc := range []struct {
		name  string
		x, y  []float64
		alt   alternative
		u, p  float64
		exact bool
	}{
		{"hollander-wolfe greater", hwX, hwY, greater, 35, 0.1272, true},
		{"hollander-wolfe two-sided", hwX, hwY, twoSided, 35, 2 * 0.1272, true},
		{"endmemo ties", emX, emY, twoSided, 51.5, 0.5966, false},
		{"endmemo separated", emX, emY2, twoSided, 0, 0.001364, false},
		{"airquality may vs august", may, aug, twoSided, 127.5, 0.0001208, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mannWhitney(tc.x, tc.y, tc.alt)
			if got.u != tc.u || got.exact != tc.exact {
				t.Errorf("U = %v exact=%v, want %v exact=%v", got.u, got.exact, tc.u, tc.exact)
			}
			// R prints 4 significant digits.
			if rel := math.Abs(got.p-tc.p) / tc.p; rel > 5e-4 {
				t.Errorf("p = %.6g, R says %.4g", got.p, tc.p)
			}
		})
	}
}

func TestUCountsAreADistribution(t *testing.T) {
	for _, n := range [][2]int{{1, 1}, {3, 4}, {10, 5}, {20, 20}, {49, 49}} {
		counts, total := uCounts(n[0], n[1])
		if len(counts) != n[0]*n[1]+1 {
			t.Fatalf("%v: %d counts", n, len(counts))
		}
		lg := func(k int) float64 { v, _ := math.Lgamma(float64(k) + 1); return v }
		want := math.Exp(lg(n[0]+n[1]) - lg(n[0]) - lg(n[1]))
		if math.Abs(total-want)/want > 1e-9 {
			t.Errorf("%v: total %g, want C(n1+n2, n1) = %g", n, total, want)
		}
		for k := range counts { // symmetric around n1·n2/2
			if a, b := counts[k], counts[len(counts)-1-k]; math.Abs(a-b) > 1e-9*math.Max(a, 1) {
				t.Fatalf("%v: count[%d]=%g but count[%d]=%g", n, k, a, len(counts)-1-k, b)
			}
		}
	}
	// Hand count for n1=2, n2=2: U ∈ {0,1,2,2,3,4} over C(4,2)=6 orderings.
	counts, _ := uCounts(2, 2)
	if !slices.Equal(counts, []float64{1, 1, 2, 1, 1}) {
		t.Errorf("uCounts(2,2) = %v", counts)
	}
}

func TestRankSumMidranks(t *testing.T) {
	// x = {1, 2, 2}, y = {2, 3}: ranks 1, (2,3,4 → 3), 5.
	// Rx = 1 + 3 + 3 = 7, ties: one group of 3 → 27 − 3 = 24.
	twoR, tieSum := rankSum([]float64{1, 2, 2}, []float64{2, 3})
	if twoR != 14 || tieSum != 24 {
		t.Errorf("rankSum = %d/2, %v; want 14/2, 24", twoR, tieSum)
	}
}

func TestAllTiedIsNoEvidence(t *testing.T) {
	x := []float64{5, 5, 5}
	got := mannWhitney(x, x, twoSided)
	if got.p != 1 || got.u != 4.5 {
		t.Errorf("all tied: %+v, want U=4.5 p=1", got)
	}
}

// The exact distribution and the normal approximation are independent
// computations; at 40+45 samples they must agree closely.
func TestExactAgreesWithNormal(t *testing.T) {
	const n1, n2 = 30, 35
	for u := 0; u <= n1*n2; u += 61 { // each exactP recomputes the distribution
		for _, alt := range []alternative{twoSided, greater, less} {
			exact, approx := exactP(u, n1, n2, alt), normalP(float64(u), n1, n2, 0, alt)
			if math.Abs(exact-approx) > 3e-3 {
				t.Errorf("U=%d alt=%d: exact p %.5f, normal %.5f", u, alt, exact, approx)
			}
		}
	}
}
