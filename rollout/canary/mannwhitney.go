package canary

import "math"

// alternative is the alternative hypothesis of a Mann-Whitney U test of x
// against y, named as in R's wilcox.test(x, y, alternative = …).
type alternative int

const (
	twoSided alternative = iota // x and y differ in location
	greater                     // x is stochastically greater than y
	less                        // x is stochastically less than y
)

// exactLimit is the sample size below which (on both sides, and without
// ties) the p-value is exact, as in R's wilcox.test.
const exactLimit = 50

// uTest is the outcome of a Mann-Whitney U test.
type uTest struct {
	u     float64 // pairs (xi, yj) with xi > yj, ties counting one half
	p     float64 // p-value for the alternative
	exact bool    // p from the exact null distribution
	ties  bool    // some value occurs more than once in x ∪ y
}

// mannWhitney tests x against y. Both must be sorted ascending, non-empty and
// free of NaN. The statistic is R's W for wilcox.test(x, y).
func mannWhitney(x, y []float64, alt alternative) uTest {
	n1, n2 := len(x), len(y)
	twoR, tieSum := rankSum(x, y)
	// U = R − n1(n1+1)/2, kept in halves so that it stays exact.
	u := (float64(twoR) - float64(n1)*float64(n1+1)) / 2
	t := uTest{u: u, ties: tieSum > 0}
	if !t.ties && n1 < exactLimit && n2 < exactLimit {
		t.exact = true
		t.p = exactP(int(u), n1, n2, alt)
		return t
	}
	t.p = normalP(u, n1, n2, tieSum, alt)
	return t
}

// rankSum merges two sorted samples and returns twice the rank sum of x, tied
// values getting their midrank, and Σ(t³ − t) over groups of t tied values.
func rankSum(x, y []float64) (twoR int64, tieSum float64) {
	i, j, pos := 0, 0, 0
	for i < len(x) || j < len(y) {
		var v float64
		if j >= len(y) || (i < len(x) && x[i] <= y[j]) {
			v = x[i]
		} else {
			v = y[j]
		}
		ci, cj := 0, 0
		for i < len(x) && x[i] == v {
			i++
			ci++
		}
		for j < len(y) && y[j] == v {
			j++
			cj++
		}
		t := ci + cj
		// Ranks pos+1 … pos+t share the midrank pos + (t+1)/2.
		twoR += int64(ci) * int64(2*pos+t+1)
		if t > 1 {
			ft := float64(t)
			tieSum += ft*ft*ft - ft
		}
		pos += t
	}
	return twoR, tieSum
}

// normalP is the p-value from the normal approximation with tie correction
// of the variance and continuity correction (R's wilcox.test, correct=TRUE).
func normalP(u float64, n1, n2 int, tieSum float64, alt alternative) float64 {
	f1, f2 := float64(n1), float64(n2)
	n := f1 + f2
	z := u - f1*f2/2
	variance := f1 * f2 / 12 * ((n + 1) - tieSum/(n*(n-1)))
	if !(variance > 0) {
		return 1 // every value is the same: no evidence of any difference
	}
	var corr float64
	switch alt {
	case greater:
		corr = 0.5
	case less:
		corr = -0.5
	default:
		if z > 0 {
			corr = 0.5
		} else if z < 0 {
			corr = -0.5
		}
	}
	z = (z - corr) / math.Sqrt(variance)
	switch alt {
	case greater:
		return normalCDF(-z)
	case less:
		return normalCDF(z)
	}
	return math.Min(1, 2*math.Min(normalCDF(z), normalCDF(-z)))
}

// normalCDF is Φ(z), accurate in both tails.
func normalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// exactP is the p-value of the integer statistic u from the exact null
// distribution of U for sample sizes n1 and n2 (R's pwilcox).
func exactP(u, n1, n2 int, alt alternative) float64 {
	counts, total := uCounts(n1, n2)
	le := func(k int) float64 { // P(U ≤ k)
		var s float64
		for i := 0; i <= k && i < len(counts); i++ {
			s += counts[i]
		}
		return s / total
	}
	ge := func(k int) float64 { // P(U ≥ k)
		var s float64
		for i := len(counts) - 1; i >= k && i >= 0; i-- {
			s += counts[i]
		}
		return s / total
	}
	switch alt {
	case greater:
		return ge(u)
	case less:
		return le(u)
	}
	var p float64
	if 2*u > n1*n2 {
		p = ge(u)
	} else {
		p = le(u)
	}
	return math.Min(1, 2*p)
}

// uCounts returns, for k = 0 … n1·n2, the number of orderings of n1 x's and
// n2 y's (all distinct) in which exactly k pairs have x > y, and their total
// C(n1+n2, n1). It uses the recurrence on the largest value:
// f(i, j) = q^j·f(i−1, j) + f(i, j−1) (it is an x beating all j y's, or a y),
// in place over j, O(n1²·n2²/4) additions of positive numbers.
func uCounts(n1, n2 int) (counts []float64, total float64) {
	// f[j] holds the polynomial f(i, j) for the current i, of degree i·j.
	f := make([][]float64, n2+1)
	for j := range f {
		f[j] = make([]float64, 1, n1*j+1)
		f[j][0] = 1 // f(0, j) = 1
	}
	for i := 1; i <= n1; i++ {
		// f(i, 0) = 1 stays as it is.
		for j := 1; j <= n2; j++ {
			old := f[j]                   // f(i−1, j), degree (i−1)·j
			prev := f[j-1]                // f(i, j−1), degree i·(j−1)
			cur := old[:i*j+1]            // grows in place: capacity n1·j+1
			for k := i * j; k >= 0; k-- { // descending: old[k−j] is still f(i−1, j)
				var c float64
				if k >= j && k-j < len(old) {
					c = old[k-j]
				}
				if k < len(prev) {
					c += prev[k]
				}
				cur[k] = c
			}
			f[j] = cur
		}
	}
	counts = f[n2]
	for _, c := range counts {
		total += c
	}
	return counts, total
}

// minP is the smallest p-value the test could return for sample sizes n1 and
// n2 when there are no ties: every x above every y, 1/C(n1+n2, n1), doubled
// for a two-sided test.
//
// C is built as a product of exact integer steps, not from Lgamma: at the
// boundary minP = alpha (1 + 7 samples, alpha 1/8) Lgamma's rounding made
// minP a hair below alpha, and a test that can never be significant passed.
// Past 2^53 the steps round, and past 1e308 C is +Inf (p = 0): both far
// from any alpha.
func minP(n1, n2 int, alt alternative) float64 {
	k, n := min(n1, n2), n1+n2
	c := 1.0
	for i := 1; i <= k; i++ {
		c = c * float64(n-k+i) / float64(i) // C(n-k+i, i): an integer
		if math.IsInf(c, 1) {
			break // p = 0, whatever is left
		}
	}
	p := 1 / c
	if alt == twoSided {
		p *= 2
	}
	return math.Min(1, p)
}
