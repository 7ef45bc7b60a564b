package affected_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/rollout/affected"
)

func TestParseGoListErrors(t *testing.T) {
	for name, in := range map[string]string{
		"malformed":       `{"ImportPath": "a"`,
		"not an object":   `[1, 2]`,
		"no import path":  `{"Name": "main"}`,
		"duplicate":       `{"ImportPath": "a"} {"ImportPath": "a"}`,
		"package error":   `{"ImportPath": "a", "Error": {"Err": "no Go files"}}`,
		"deps error":      `{"ImportPath": "a", "DepsErrors": [{"Err": "cannot find b"}]}`,
		"relative dir":    `{"ImportPath": "a", "Dir": "src/a"}`,
		"relative module": `{"ImportPath": "a", "Module": {"Dir": "m"}}`,
		"trailing junk":   `{"ImportPath": "a"} }`,
	} {
		if _, err := affected.ParseGoList(strings.NewReader(in)); !errors.Is(err, affected.ErrGoList) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := affected.ParseGoList(nil); !errors.Is(err, affected.ErrGoList) {
		t.Errorf("nil reader: %v", err)
	}
	g, err := affected.ParseGoList(strings.NewReader(""))
	if err != nil || len(g.Nodes()) != 0 {
		t.Errorf("empty stream: %v, %v", g.Nodes(), err)
	}
}

func TestParseGoListShapes(t *testing.T) {
	// Standard packages and edges to them are left out; test variants and
	// test mains (go list -test) are not products; a dot-less module path is
	// not mistaken for the standard library.
	in := `
{"ImportPath": "fmt", "Standard": true, "Dir": "/goroot/src/fmt"}
{"ImportPath": "tool/lib", "Name": "lib", "Dir": "/m/lib", "Imports": ["fmt"],
 "Module": {"Path": "tool", "Dir": "/m", "Main": true}}
{"ImportPath": "tool/lib [tool/lib.test]", "Name": "lib", "ForTest": "tool/lib", "Dir": "/m/lib", "Imports": ["fmt"]}
{"ImportPath": "tool/lib.test", "Name": "main", "Dir": "/m/lib", "Imports": ["tool/lib [tool/lib.test]"]}
{"ImportPath": "tool", "Name": "main", "Dir": "/m", "GoFiles": ["main.go"], "Imports": ["fmt", "tool/lib"],
 "Module": {"Path": "tool", "Dir": "/m", "Main": true}}
`
	g, err := affected.ParseGoList(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Products(); !slices.Equal(got, []string{"tool"}) {
		t.Fatalf("products = %v", got)
	}
	if got := g.Deps("tool"); !slices.Equal(got, []string{"tool/lib"}) {
		t.Fatalf("deps of tool = %v", got)
	}
	if slices.Contains(g.Nodes(), "fmt") {
		t.Fatalf("standard package in graph: %v", g.Nodes())
	}
	impacts, err := affected.Products(g, &affected.Changes{Files: []string{"lib/lib.go"}})
	if err != nil || len(impacts) != 1 || !slices.Equal(impacts[0].Path, []string{"tool/lib", "tool"}) {
		t.Fatalf("impacts = %+v, %v", impacts, err)
	}
}

func FuzzParseGoList(f *testing.F) {
	// The mews packages of testdata/golist.json, standard library left out
	// (the whole file is too slow a seed to mutate; tests cover it).
	seed, err := os.ReadFile(filepath.Join("testdata", "golist-mews.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"ImportPath": "m/cmd/a", "Name": "main", "Dir": "/m/cmd/a", "Imports": ["m/lib"], "GoFiles": ["a.go"],
"Module": {"Path": "m", "Dir": "/m", "Main": true}} {"ImportPath": "m/lib", "Dir": "/m/lib", "EmbedFiles": ["x/y.txt"]}`))
	f.Add([]byte(`{"ImportPath": "a", "Standard": true} {"ImportPath": "b", "Name": "main", "Imports": ["a", "b"]}`))
	f.Add([]byte(`{"ImportPath": "a", "Error": {"Err": "x"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := affected.ParseGoList(strings.NewReader(string(data)))
		if err != nil {
			if !errors.Is(err, affected.ErrGoList) {
				t.Fatalf("error does not wrap ErrGoList: %v", err)
			}
			return
		}
		nodes := g.Nodes()
		for _, p := range g.Products() {
			if _, ok := slices.BinarySearch(nodes, p); !ok {
				t.Fatalf("product %q is not a node", p)
			}
		}
		// Whatever the graph, a change to go.work or an unknown file marks
		// every product, and an unknown diff too. (go.mod marks only its
		// module's products: testdata/fuzz/FuzzParseGoList/63423d9cce58a2cc.)
		for _, ch := range []*affected.Changes{nil, {Files: []string{"go.work"}}, {Files: []string{"/nowhere/x"}}} {
			impacts, err := affected.Products(g, ch)
			if err != nil || len(impacts) != len(g.Products()) {
				t.Fatalf("Products(%+v) = %d impacts (%v), want %d", ch, len(impacts), err, len(g.Products()))
			}
		}
	})
}
