package verify_test

import (
	"cmp"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

// foundAmongEdges asserts that err is a LawError found before any random
// batch: on every seed, not by chance.
func foundAmongEdges(t *testing.T, err error) *verify.LawError {
	t.Helper()
	le := lawError(t, err)
	if le.Report.Batches != 0 || le.Report.Edges == 0 {
		t.Errorf("found after %d random batches, want among the edges: %v", le.Report.Batches, err)
	}
	return le
}

// missedAmongEdges asserts that no edge value found a violation.
func missedAmongEdges(t *testing.T, rep verify.Report, err error) {
	t.Helper()
	var le *verify.LawError
	if errors.As(err, &le) && le.Report.Batches == 0 {
		t.Errorf("found among the edges although the pool is off: %v", err)
	}
}

// User edges are checked together, every triple: a cycle hidden among three
// given values of rapid.Int() is found before any random batch.
func TestUserEdgesEveryTriple(t *testing.T) {
	le := foundAmongEdges(t, func() error {
		_, err := verify.Ordering(rpsAmongMagic, rapid.Int(), verify.Edges(magic...))
		return err
	}())
	if le.Law != "transitivity of <" || len(le.Values) != 3 {
		t.Errorf("witness: %v", le)
	}
	// Among 90 other edges, with no default pool.
	var many []int
	for i := range 90 {
		many = append(many, 7+i*13)
	}
	_, err := verify.Ordering(rpsAmongMagic, rapid.Int(), verify.NoDefaultEdges(), verify.Edges(many...), verify.Edges(magic...))
	foundAmongEdges(t, err)
}

// Each default pool catches its class at the defaults, and removing it by
// name removes that edge phase finding.
func TestDefaultPoolsCatchTheirClass(t *testing.T) {
	foldLower := func(a, b string) int {
		if strings.EqualFold(a, b) {
			return 0
		}
		return strings.Compare(strings.ToLower(a), strings.ToLower(b))
	}
	numEq := func(a, b string) int {
		fa, ea := strconv.ParseFloat(a, 64)
		fb, eb := strconv.ParseFloat(b, 64)
		if ea == nil && eb == nil && fa == fb {
			return 0
		}
		return strings.Compare(a, b)
	}
	eps := epsCmp(within(1e-9))
	subtract := func(a, b int) int { return a - b }
	zoneEq := func(a, b event) int {
		if a.At == b.At {
			return cmp.Compare(a.N, b.N)
		}
		return sign(a.At.Before(b.At))
	}
	tests := []struct {
		pool  string
		off   []string // the pools that reach the class (default: pool)
		check func(opts ...verify.Option) (verify.Report, error)
	}{
		{"case", nil, func(o ...verify.Option) (verify.Report, error) {
			return verify.Ordering(foldLower, rapid.String(), o...)
		}},
		{"numeric", []string{"numeric", "radix", "bigint"}, func(o ...verify.Option) (verify.Report, error) { return verify.Ordering(numEq, rapid.String(), o...) }},
		{"epsilon", nil, func(o ...verify.Option) (verify.Report, error) { return verify.Ordering(eps, rapid.Float64(), o...) }},
		{"extremes", nil, func(o ...verify.Option) (verify.Report, error) {
			return verify.Ordering(subtract, rapid.IntRange(-9, 9), o...)
		}},
		{"fields", nil, func(o ...verify.Option) (verify.Report, error) { return verify.Ordering(zoneEq, genEvent(), o...) }},
	}
	for _, tc := range tests {
		t.Run(tc.pool, func(t *testing.T) {
			_, err := tc.check()
			foundAmongEdges(t, err)
			off := tc.off
			if off == nil {
				off = []string{tc.pool}
			}
			rep, err := tc.check(verify.NoDefaultEdges(off...))
			missedAmongEdges(t, rep, err)
		})
	}
}

// The zone pool reaches a time.Time field; the equal-fields variant makes
// two fields of one type equal.
func TestEdgesReachStructFields(t *testing.T) {
	_, err := verify.Equivalence(func(a, b event) bool { return a == b }, genEvent(),
		verify.Order(func(a, b event) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.N, b.N)) }))
	le := foundAmongEdges(t, err)
	if a, b := le.Values[0].(event), le.Values[1].(event); !a.At.Equal(b.At) || a.At.Location() == b.At.Location() {
		t.Errorf("witness is not one instant in two zones: %v", le)
	}
	_, err = verify.Same(func(p pair) bool { return p.A > p.B }, func(p pair) bool { return p.A >= p.B }, genWidePair())
	var de *verify.DiffError
	if !errors.As(err, &de) || de.Report.Batches != 0 || de.Input.(pair).A != de.Input.(pair).B {
		t.Errorf("equal fields: %v", err)
	}
}

// Named and narrow types get their kind's pools.
func TestEdgesForNamedTypes(t *testing.T) {
	type celsius float64
	lt := func(a, b celsius) int { return sign(a < b) * b2i(a != b) }
	foundAmongEdges(t, func() error {
		_, err := verify.Ordering(lt, rapid.Custom(func(t *rapid.T) celsius { return celsius(rapid.Float64().Draw(t, "c")) }))
		return err
	}())
	foundAmongEdges(t, func() error {
		_, err := verify.Ordering(func(a, b float32) int { return sign(a < b) * b2i(a != b) }, rapid.Float32())
		return err
	}())
	foundAmongEdges(t, func() error {
		_, err := verify.Ordering(func(a, b int8) int { return int(a - b) }, rapid.Int8())
		return err
	}())
}

func TestNoDefaultEdgesNames(t *testing.T) {
	_, err := verify.Ordering(cmp.Compare[int], rapid.Int(), verify.NoDefaultEdges("case", "nope"))
	if !errors.Is(err, verify.ErrBadOption) || !strings.Contains(err.Error(), `NoDefaultEdges("nope")`) {
		t.Errorf("unknown pool: %v", err)
	}
	rep, err := verify.Ordering(cmp.Compare[float64], rapid.Float64(), verify.NoDefaultEdges("nan", "ulp"))
	if err != nil || rep.Edges == 0 {
		t.Errorf("%v: %v", rep, err)
	}
	all, _ := verify.Ordering(cmp.Compare[float64], rapid.Float64())
	if rep.Edges >= all.Edges {
		t.Errorf("removing pools kept %d of %d edges", rep.Edges, all.Edges)
	}
	// NaN really is gone: a comparator broken only on NaN passes the edges.
	nanBroken := func(a, b float64) int {
		if math.IsNaN(a) || math.IsNaN(b) {
			return -1
		}
		return cmp.Compare(a, b)
	}
	rep, err = verify.Ordering(nanBroken, rapid.Float64(), verify.NoDefaultEdges("nan"))
	missedAmongEdges(t, rep, err)
}
