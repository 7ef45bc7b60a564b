package verify_test

import (
	"cmp"
	"math"
	"strconv"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

// The bug classes of issue 15, each in several shapes, with the generator a
// new user writes first and default options. Each check returns the error
// of the check (nil: the bug was missed) and its Report.

// bugCase is one broken function (or, with correct set, a correct
// counterpart that must pass) and the check a new user would write.
type bugCase struct {
	class, shape, gen string
	correct           bool
	run               func() (verify.Report, error)
	// unseeded cases run without -rapid.seed: Sensitive's claim is that
	// it needs none.
	unseeded bool
}

// pair is the struct of small ints a new user writes first.
type pair struct{ A, B int }

func genPair() *rapid.Generator[pair] {
	return rapid.Custom(func(t *rapid.T) pair {
		return pair{rapid.IntRange(0, 9).Draw(t, "a"), rapid.IntRange(0, 9).Draw(t, "b")}
	})
}

func genWidePair() *rapid.Generator[pair] {
	return rapid.Custom(func(t *rapid.T) pair { return pair{rapid.Int().Draw(t, "a"), rapid.Int().Draw(t, "b")} })
}

// event holds an instant, as a new user's struct would.
type event struct {
	At time.Time
	N  int
}

// genWideTime draws any instant of years 1-9999 to the nanosecond.
func genWideTime() *rapid.Generator[time.Time] {
	return rapid.Custom(func(t *rapid.T) time.Time {
		return time.Unix(rapid.Int64Range(-62135596800, 253402300799).Draw(t, "sec"), rapid.Int64Range(0, 999999999).Draw(t, "ns"))
	})
}

func genEvent() *rapid.Generator[event] {
	return rapid.Custom(func(t *rapid.T) event {
		return event{genWideTime().Draw(t, "at"), rapid.IntRange(0, 9).Draw(t, "n")}
	})
}

func ordCase[T any, F func(a, b T) int | func(a, b T) bool](class, shape, gen string, correct bool, f F, g *rapid.Generator[T], opts ...verify.Option) bugCase {
	return bugCase{class, shape, gen, correct, func() (verify.Report, error) { return verify.Ordering(f, g, opts...) }, false}
}

func eqCase[T any](class, shape, gen string, correct bool, eq func(a, b T) bool, g *rapid.Generator[T], opts ...verify.Option) bugCase {
	return bugCase{class, shape, gen, correct, func() (verify.Report, error) { return verify.Equivalence(eq, g, opts...) }, false}
}

func pairsCase[T, Out any](class, shape, gen string, correct bool, old, new func(a, b T) Out, g *rapid.Generator[T]) bugCase {
	return bugCase{class, shape, gen, correct, func() (verify.Report, error) { return verify.SamePairs(old, new, g) }, false}
}

func sign(b bool) int {
	if b {
		return -1
	}
	return 1
}

// numKey orders numbers before other strings, numbers by value then
// spelling: a correct numeric order.
func numKey(a, b string) int {
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	return cmp.Or(cmp.Compare(b2i(ea != nil), b2i(eb != nil)), cmp.Compare(fa, fb), strings.Compare(a, b))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func within(eps float64) func(a, b float64) bool {
	return func(a, b float64) bool { return math.Abs(a-b) < eps }
}

func epsCmp(eq func(a, b float64) bool) func(a, b float64) int {
	return func(a, b float64) int {
		if eq(a, b) {
			return 0
		}
		return cmp.Compare(a, b)
	}
}

// magic are three values a cycle is hidden among, given as Edges.
var magic = []int{1_000_003, 2_000_003, 3_000_003}

func rpsAmongMagic(a, b int) int {
	ia, ib := indexOf(magic, a), indexOf(magic, b)
	if ia < 0 || ib < 0 || ia == ib {
		return cmp.Compare(a, b)
	}
	if (ia+1)%3 == ib {
		return -1
	}
	return 1
}

func indexOf(vs []int, v int) int {
	for i, x := range vs {
		if x == v {
			return i
		}
	}
	return -1
}

func bugCases() []bugCase {
	const cf, num, epsO, epsE, same, three, sens, tz = "Unicode case fold vs lowercase order", "numeric-spelling equality",
		"epsilon float equality (Ordering)", "epsilon float equality (Equivalence)", "> vs >= (SamePairs/Same)",
		"three-edge witness", "Sensitive: flipped-outcome mutant", "zone-sensitive time == in a struct"
	str, i64, f64 := rapid.String(), rapid.Int(), rapid.Float64()
	return []bugCase{
		ordCase(cf, "EqualFold ties, ToLower order", "rapid.String()", false, func(a, b string) int {
			if strings.EqualFold(a, b) {
				return 0
			}
			return strings.Compare(strings.ToLower(a), strings.ToLower(b))
		}, str),
		ordCase(cf, "EqualFold ties, ToUpper order", "rapid.String()", false, func(a, b string) int {
			if strings.EqualFold(a, b) {
				return 0
			}
			return strings.Compare(strings.ToUpper(a), strings.ToUpper(b))
		}, str),
		ordCase(cf, "EqualFold ties, byte order", "rapid.String()", false, func(a, b string) int {
			if strings.EqualFold(a, b) {
				return 0
			}
			return strings.Compare(a, b)
		}, str),
		ordCase(cf, "less: ToLower(a) < ToLower(b) unless EqualFold", "rapid.String()", false, func(a, b string) bool {
			return !strings.EqualFold(a, b) && strings.ToLower(a) < strings.ToLower(b)
		}, str),
		ordCase(cf, "correct: ToLower order", "rapid.String()", true, func(a, b string) int {
			return strings.Compare(strings.ToLower(a), strings.ToLower(b))
		}, str),

		ordCase(num, "ParseFloat equal ties, else bytes", "rapid.String()", false, func(a, b string) int {
			fa, ea := strconv.ParseFloat(a, 64)
			fb, eb := strconv.ParseFloat(b, 64)
			if ea == nil && eb == nil && fa == fb {
				return 0
			}
			return strings.Compare(a, b)
		}, str),
		ordCase(num, "Atoi equal ties, else bytes", "rapid.String()", false, func(a, b string) int {
			ia, ea := strconv.Atoi(a)
			ib, eb := strconv.Atoi(b)
			if ea == nil && eb == nil && ia == ib {
				return 0
			}
			return strings.Compare(a, b)
		}, str),
		ordCase(num, "leading zeros trimmed for ties only", "rapid.String()", false, func(a, b string) int {
			if strings.TrimLeft(a, "0") == strings.TrimLeft(b, "0") {
				return 0
			}
			return strings.Compare(a, b)
		}, str),
		eqCase(num, "eq: ParseFloat equal or same bytes", "rapid.String()", false, func(a, b string) bool {
			fa, ea := strconv.ParseFloat(a, 64)
			fb, eb := strconv.ParseFloat(b, 64)
			return a == b || ea == nil && eb == nil && fa == fb
		}, str, verify.Order(strings.Compare)),
		ordCase(num, "correct: numbers by value, then spelling", "rapid.String()", true, numKey, str),

		ordCase(epsO, "|a-b| < 1e-9", "rapid.Float64()", false, epsCmp(within(1e-9)), f64),
		ordCase(epsO, "|a-b| <= 1e-6", "rapid.Float64()", false, epsCmp(func(a, b float64) bool { return math.Abs(a-b) <= 1e-6 }), f64),
		ordCase(epsO, "|a-b| < 0.5", "rapid.Float64()", false, epsCmp(within(0.5)), f64),
		ordCase(epsO, "relative 1e-9", "rapid.Float64()", false, epsCmp(func(a, b float64) bool {
			return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
		}), f64),
		ordCase(epsO, "correct: cmp.Compare", "rapid.Float64()", true, cmp.Compare[float64], f64),

		eqCase(epsE, "|a-b| < 1e-9", "rapid.Float64()", false, within(1e-9), f64),
		eqCase(epsE, "|a-b| <= 1e-6", "rapid.Float64()", false, func(a, b float64) bool { return math.Abs(a-b) <= 1e-6 }, f64),
		eqCase(epsE, "|a-b| < 0.5", "rapid.Float64()", false, within(0.5), f64),
		eqCase(epsE, "relative 1e-9", "rapid.Float64()", false, func(a, b float64) bool {
			return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
		}, f64),
		eqCase(epsE, "correct: cmp.Compare == 0", "rapid.Float64()", true, func(a, b float64) bool { return cmp.Compare(a, b) == 0 }, f64),

		pairsCase(same, "ints: a > b became a >= b", "rapid.Int()", false,
			func(a, b int) bool { return a > b }, func(a, b int) bool { return a >= b }, i64),
		pairsCase(same, "floats: a < b became a <= b", "rapid.Float64()", false,
			func(a, b float64) bool { return a < b }, func(a, b float64) bool { return a <= b }, f64),
		pairsCase(same, "strings: a > b became a >= b", "rapid.String()", false,
			func(a, b string) bool { return a > b }, func(a, b string) bool { return a >= b }, str),
		pairsCase(same, "instants: Before became !After", "wide instants", false,
			func(a, b time.Time) bool { return a.Before(b) }, func(a, b time.Time) bool { return !a.After(b) }, genWideTime()),
		{same, "Same over struct{A, B int}: A > B became A >= B", "struct of rapid.Int()", false, func() (verify.Report, error) {
			return verify.Same(func(p pair) bool { return p.A > p.B }, func(p pair) bool { return p.A >= p.B }, genWidePair())
		}, false},
		pairsCase(same, "correct: a > b became b < a", "rapid.Int()", true,
			func(a, b int) bool { return a > b }, func(a, b int) bool { return b < a }, i64),
		pairsCase(same, "correct: Before became b.After(a)", "wide instants", true,
			func(a, b time.Time) bool { return a.Before(b) }, func(a, b time.Time) bool { return b.After(a) }, genWideTime()),

		ordCase(three, "cycle among three Edges", "rapid.Int()", false, rpsAmongMagic, i64, verify.Edges(magic...)),
		ordCase(three, "ties chain among three Edges", "rapid.Int()", false, func(a, b int) int {
			// magic[0] ties magic[1] ties magic[2], but magic[0] < magic[2].
			ia, ib := indexOf(magic, a), indexOf(magic, b)
			if ia >= 0 && ib >= 0 && (ia-ib == 1 || ib-ia == 1) {
				return 0
			}
			return cmp.Compare(a, b)
		}, i64, verify.Edges(magic...)),
		eqCase(three, "eq: chain among three Edges", "rapid.Int()", false, func(a, b int) bool {
			ia, ib := indexOf(magic, a), indexOf(magic, b)
			return a == b || ia >= 0 && ib >= 0 && (ia-ib == 1 || ib-ia == 1)
		}, i64, verify.Edges(magic...)),
		ordCase(three, "correct: cmp.Compare with the Edges", "rapid.Int()", true, cmp.Compare[int], i64, verify.Edges(magic...)),

		sensCase(sens, "struct of ints 0-9", "struct of small ints", genPair()),
		sensCase(sens, "struct of rapid.Int() fields", "struct of rapid.Int()", genWidePair()),

		ordCase(tz, "At == decides ties, else Before", "wide instants", false, func(a, b event) int {
			if a.At == b.At {
				return cmp.Compare(a.N, b.N)
			}
			return sign(a.At.Before(b.At))
		}, genEvent()),
		eqCase(tz, "eq: struct ==, order by At.Compare", "wide instants", false, func(a, b event) bool { return a == b }, genEvent(),
			verify.Order(func(a, b event) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.N, b.N)) })),
		eqCase(tz, "eq: At.Equal, key At (a map key)", "wide instants", false, func(a, b event) bool { return a.At.Equal(b.At) && a.N == b.N }, genEvent(),
			verify.Key(func(e event) time.Time { return e.At })),
		ordCase(tz, "correct: At.Compare, then N", "wide instants", true, func(a, b event) int {
			return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.N, b.N))
		}, genEvent()),
	}
}

// sensCase: a test of Ordering and Groups must kill every mutant of a
// correct comparator of pairs, the flipped-outcome one included; it is
// "caught" when Sensitive returns nil. Its time to detection is that of
// the test's run on the flipped-outcome mutant, Sensitive's last (the
// broken function of this class); the whole Sensitive call also runs the
// test once on the correct comparator and on six other mutants.
func sensCase(class, shape, gen string, g *rapid.Generator[pair]) bugCase {
	byAB := func(a, b pair) int { return cmp.Or(cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B)) }
	var last time.Duration
	var lastRep verify.Report // of the last test's Ordering; Groups has none
	test := func(c func(a, b pair) int) error {
		start := time.Now()
		defer func() { last = time.Since(start) }()
		rep, err := verify.Ordering(c, g)
		lastRep = rep
		if err != nil {
			return err
		}
		lastRep = verify.Report{Batches: 1} // Groups: not among the edges
		return verify.Groups(c, [][]pair{{{0, 0}}, {{0, 1}}, {{1, 0}}})
	}
	return bugCase{class, shape, gen, false, func() (verify.Report, error) {
		if err := verify.Sensitive(test, byAB); err != nil {
			return verify.Report{}, nil // a survivor: missed
		}
		return verify.Report{Search: last, Edges: lastRep.Edges, Batches: lastRep.Batches}, errKilled
	}, true}
}
