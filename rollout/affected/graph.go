package affected

import (
	"fmt"
	"path/filepath"
	"slices"
)

// Graph is a dependency graph: nodes (packages, modules…) and, for each, the
// nodes it depends on directly. Some nodes are products: the things that get
// released. A zero Graph is empty and ready to use; a Graph is not safe for
// concurrent modification.
type Graph struct {
	deps     map[string][]string // node → direct dependencies
	rdeps    map[string][]string // node → direct dependents
	products map[string]bool

	// Set by the Go adapter (and SetDir) to map changed files to nodes.
	root    string              // directory relative paths are resolved against
	dirs    map[string]string   // clean absolute directory → node
	files   map[string]fileInfo // clean absolute file → owner
	module  map[string]string   // node → module root directory
	modules map[string]string   // module root directory → module path
}

type fileKind int

const (
	sourceFile   fileKind = iota // compiled into the package
	ignoredFile                  // excluded by build constraints here, maybe not elsewhere
	embeddedFile                 // matched by a //go:embed pattern
	testFile                     // _test.go: not part of any product
)

type fileInfo struct {
	node string
	kind fileKind
}

func (g *Graph) init() {
	if g.deps == nil {
		g.deps = map[string][]string{}
		g.rdeps = map[string][]string{}
		g.products = map[string]bool{}
		g.dirs = map[string]string{}
		g.files = map[string]fileInfo{}
		g.module = map[string]string{}
		g.modules = map[string]string{}
	}
}

// Add adds node and its direct dependencies; calling it again for the same
// node adds more dependencies. Dependencies need not be added themselves.
func (g *Graph) Add(node string, deps ...string) error {
	if g == nil {
		return errNilGraph
	}
	if node == "" {
		return fmt.Errorf("affected: Add: empty node name")
	}
	for i, d := range deps {
		if d == "" {
			return fmt.Errorf("affected: Add(%q): dependency %d is empty", node, i)
		}
	}
	g.init()
	g.addNode(node)
	for _, d := range deps {
		g.addNode(d)
		g.deps[node] = append(g.deps[node], d)
		g.rdeps[d] = append(g.rdeps[d], node)
	}
	return nil
}

// AddProduct adds node as a product with its direct dependencies.
func (g *Graph) AddProduct(node string, deps ...string) error {
	if err := g.Add(node, deps...); err != nil {
		return err
	}
	g.products[node] = true
	return nil
}

func (g *Graph) addNode(n string) {
	if _, ok := g.deps[n]; !ok {
		g.deps[n] = nil
	}
}

// SetDir records that the files of directory dir belong to node (which is
// added if needed), so that Changes.Files can name them. A relative dir is
// resolved against the root set at the time of the call, so call SetRoot
// first.
func (g *Graph) SetDir(node, dir string) error {
	if g == nil {
		return errNilGraph
	}
	if node == "" || dir == "" {
		return fmt.Errorf("affected: SetDir(%q, %q): empty argument", node, dir)
	}
	g.init()
	g.addNode(node)
	g.dirs[g.abs(dir)] = node
	return nil
}

// SetRoot sets the directory that relative paths are resolved against. The
// Go adapter sets it to the main module's directory.
func (g *Graph) SetRoot(dir string) error {
	if g == nil {
		return errNilGraph
	}
	if dir == "" {
		return fmt.Errorf("affected: SetRoot: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("affected: SetRoot(%q): %w", dir, err)
	}
	g.root = abs
	return nil
}

func (g *Graph) abs(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(g.root, p)
	}
	return filepath.Clean(p)
}

// nodeList returns every node, sorted.
func (g *Graph) nodeList() []string { return sortedKeys(g.deps) }

// productList returns the products, sorted. Users list them with
// Products(g, nil), which marks every product affected.
func (g *Graph) productList() []string { return sortedKeys(g.products) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
