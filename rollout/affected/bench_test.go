package affected

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// syntheticGraph has packages p0 … p(n−1), each importing up to 3 lower
// packages, and products importing 5 packages each from the upper half.
func syntheticGraph(tb testing.TB, packages, products int) *Graph {
	tb.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	var g Graph
	for i := range packages {
		var deps []string
		for range min(i, r.IntN(4)) {
			deps = append(deps, fmt.Sprintf("p%d", r.IntN(i)))
		}
		if err := g.Add(fmt.Sprintf("p%d", i), deps...); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range products {
		var deps []string
		for range 5 {
			deps = append(deps, fmt.Sprintf("p%d", packages/2+r.IntN(packages/2)))
		}
		if err := g.AddProduct(fmt.Sprintf("product%d", i), deps...); err != nil {
			tb.Fatal(err)
		}
	}
	return &g
}

// naiveAffected is the baseline: for each product, a fresh depth-first
// search of its dependencies for a changed node.
func naiveAffected(g *Graph, changed map[string]bool) []string {
	var out []string
	for _, p := range g.Products() {
		seen := map[string]bool{}
		var reaches func(n string) bool
		reaches = func(n string) bool {
			if changed[n] {
				return true
			}
			seen[n] = true
			for _, d := range g.deps[n] {
				if !seen[d] && reaches(d) {
					return true
				}
			}
			return false
		}
		if reaches(p) {
			out = append(out, p)
		}
	}
	return out
}

func TestClosureMatchesNaive(t *testing.T) {
	g := syntheticGraph(t, 2000, 100)
	for _, changed := range [][]string{{"p3"}, {"p1500"}, {"p10", "p1999", "p700"}, {"product7"}} {
		set := map[string]bool{}
		for _, c := range changed {
			set[c] = true
		}
		impacts, err := Products(g, &Changes{Nodes: changed})
		if err != nil {
			t.Fatal(err)
		}
		want := naiveAffected(g, set)
		if len(impacts) != len(want) {
			t.Fatalf("%v: %d affected, naive search finds %d", changed, len(impacts), len(want))
		}
		for i, im := range impacts {
			if im.Product != want[i] || !set[im.Path[0]] || im.Path[len(im.Path)-1] != im.Product {
				t.Fatalf("%v: impact %+v, naive %q", changed, im, want[i])
			}
			for k := 1; k < len(im.Path); k++ { // each node depends on the one before
				if !contains(g.deps[im.Path[k]], im.Path[k-1]) {
					t.Fatalf("path %v: %s does not depend on %s", im.Path, im.Path[k], im.Path[k-1])
				}
			}
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// BenchmarkClosure: the affected products of a change to 10 low-level
// packages in a graph of 10,000 packages and 500 products, with paths,
// side by side with the naive per-product DFS (no paths).
func BenchmarkClosure(b *testing.B) {
	g := syntheticGraph(b, 10_000, 500)
	var changed []string
	set := map[string]bool{}
	for i := range 10 {
		n := fmt.Sprintf("p%d", 100+i*97)
		changed = append(changed, n)
		set[n] = true
	}
	want := len(naiveAffected(g, set))
	b.Run("closure", func(b *testing.B) {
		for b.Loop() {
			impacts, err := Products(g, &Changes{Nodes: changed})
			if err != nil || len(impacts) != want {
				b.Fatal(len(impacts), want, err)
			}
		}
		b.ReportMetric(float64(want), "affected")
	})
	b.Run("naive-dfs-baseline", func(b *testing.B) {
		for b.Loop() {
			if got := naiveAffected(g, set); len(got) != want {
				b.Fatal(len(got), want)
			}
		}
	})
}
