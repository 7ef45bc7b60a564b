package affected_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/rollout/affected"
)

func TestGraphValidation(t *testing.T) {
	var g affected.Graph // the zero Graph is ready to use
	for name, err := range map[string]error{
		"empty node":       g.Add(""),
		"empty dependency": g.Add("a", "b", ""),
		"empty product":    g.AddProduct(""),
		"empty dir":        g.SetDir("a", ""),
		"empty dir node":   g.SetDir("", "/x"),
		"empty root":       g.SetRoot(""),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if len(g.Nodes()) != 0 {
		t.Errorf("invalid calls added nodes: %v", g.Nodes())
	}
	var nilGraph *affected.Graph
	if !errors.Is(nilGraph.Add("a"), affected.ErrNilGraph) || !errors.Is(nilGraph.AddProduct("a"), affected.ErrNilGraph) ||
		!errors.Is(nilGraph.SetDir("a", "/a"), affected.ErrNilGraph) || !errors.Is(nilGraph.SetRoot("/"), affected.ErrNilGraph) ||
		nilGraph.Nodes() != nil || nilGraph.Products() != nil || nilGraph.Deps("a") != nil || nilGraph.Root() != "" {
		t.Errorf("nil *Graph misbehaves")
	}
}

// A generic graph (services on shared modules), with a cycle, a diamond and
// products that depend on products.
func TestGenericGraph(t *testing.T) {
	var g affected.Graph
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(g.Add("lib/log"))
	must(g.Add("lib/http", "lib/log"))
	must(g.Add("lib/auth", "lib/http", "lib/log"))
	must(g.Add("lib/a", "lib/b"))
	must(g.Add("lib/b", "lib/a")) // a cycle
	must(g.AddProduct("svc/api", "lib/auth", "lib/a"))
	must(g.AddProduct("svc/worker", "lib/log"))
	must(g.AddProduct("svc/admin", "svc/api"))
	must(g.AddProduct("svc/static"))
	must(g.SetRoot("/repo"))
	must(g.SetDir("lib/http", "libs/http"))

	impacts, err := affected.Products(&g, &affected.Changes{Nodes: []string{"lib/log"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"svc/admin":  {"lib/log", "lib/auth", "svc/api", "svc/admin"},
		"svc/api":    {"lib/log", "lib/auth", "svc/api"},
		"svc/worker": {"lib/log", "svc/worker"},
	}
	if len(impacts) != len(want) {
		t.Fatalf("impacts = %v", impacts)
	}
	for _, im := range impacts {
		if !slices.Equal(im.Path, want[im.Product]) {
			t.Errorf("%s: path %v, want the shortest %v", im.Product, im.Path, want[im.Product])
		}
	}

	impacts, _ = affected.Products(&g, &affected.Changes{Nodes: []string{"lib/b"}})
	if got := products(impacts); !slices.Equal(got, []string{"svc/admin", "svc/api"}) {
		t.Errorf("cycle: %v", got)
	}
	impacts, _ = affected.Products(&g, &affected.Changes{Files: []string{"libs/http/server.go"}})
	if got := products(impacts); !slices.Equal(got, []string{"svc/admin", "svc/api"}) || !strings.Contains(impacts[0].Reason, "is in the directory of lib/http") {
		t.Errorf("file in a SetDir directory: %v", impacts)
	}
	// With no directories recorded, a file is outside every package.
	impacts, _ = affected.Products(&g, &affected.Changes{Files: []string{"Makefile"}})
	if len(impacts) != 4 {
		t.Errorf("Makefile: %v", impacts)
	}
	if got := g.Deps("lib/auth"); !slices.Equal(got, []string{"lib/http", "lib/log"}) {
		t.Errorf("deps = %v", got)
	}
}

func TestRequireChecksEdgeCases(t *testing.T) {
	if err := affected.RequireChecks[bool](nil, nil); err != nil {
		t.Errorf("no impacts: %v", err)
	}
	impacts := []affected.Impact{{Product: "b", Reason: "x"}, {Product: "a", Reason: "y"}, {Product: "b", Reason: "z"}}
	err := affected.RequireChecks(impacts, map[string]*int{"a": nil})
	var missing *affected.MissingChecksError
	if !asMissing(err, &missing) || !slices.Equal(missing.Products, []string{"a", "b"}) || len(missing.Impacts) != 2 {
		t.Fatalf("err = %v", err)
	}
}

func asMissing(err error, target **affected.MissingChecksError) bool {
	m, ok := err.(*affected.MissingChecksError)
	*target = m
	return ok
}
