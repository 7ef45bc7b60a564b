package affected

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Changes is what a diff changed. A nil *Changes means that the diff could
// not be computed, and marks every product affected.
type Changes struct {
	// Files are changed (added, modified or deleted) files, relative to Dir
	// or absolute.
	Files []string
	// Dir is the directory relative Files are relative to (usually the
	// repository root); empty means the graph's root (set by Graph.SetRoot,
	// or the main module's directory with GoList and ParseGoList).
	Dir string
	// Nodes are nodes known to have changed (packages, modules…). A node
	// the graph does not know marks every product affected.
	Nodes []string
	// Unknown, when not empty, says why the diff could not be computed;
	// every product is then affected.
	Unknown string
}

// Impact is one product whose release a change triggers, and why.
type Impact struct {
	// Product is the affected product.
	Product string
	// Cause is the changed thing: a file as given in Changes.Files, a
	// node from Changes.Nodes, or "unknown diff".
	Cause string
	// Path runs from the changed node to the product, both included, each
	// node depending on the one before; just the product when it changed
	// itself; nil when the cause affects products as a whole (go.mod…).
	Path []string
	// Reason explains the impact in one line.
	Reason string
}

// String formats the impact as "product: reason".
func (im Impact) String() string { return im.Product + ": " + im.Reason }

// errNilGraph is returned by Products and the Graph methods for a nil
// *Graph: a programming error nobody branches on, so it has no sentinel.
var errNilGraph = errors.New("affected: nil graph")

// Products returns every product whose release ch triggers, sorted by
// product, each with the first reason found: a dependency path when there is
// one (the shortest), else the change that affects products as a whole.
func Products(g *Graph, ch *Changes) ([]Impact, error) {
	if g == nil {
		return nil, errNilGraph
	}
	if ch == nil {
		return g.everyProduct("unknown diff", "the diff could not be computed (nil Changes)"), nil
	}
	if ch.Unknown != "" {
		return g.everyProduct("unknown diff", "the diff could not be computed: "+ch.Unknown), nil
	}
	var seeds []seed
	global := map[string]Impact{} // product → first cause affecting it as a whole
	addGlobal := func(impacts []Impact) {
		for _, im := range impacts {
			if _, ok := global[im.Product]; !ok {
				global[im.Product] = im
			}
		}
	}
	for _, f := range ch.Files {
		s, wide := g.classify(f, ch.Dir)
		if s != nil {
			seeds = append(seeds, *s)
		}
		addGlobal(wide)
	}
	for _, n := range ch.Nodes {
		if _, ok := g.deps[n]; ok && n != "" {
			seeds = append(seeds, seed{node: n, cause: n})
			continue
		}
		addGlobal(g.everyProduct(n, fmt.Sprintf("unknown node %q changed: cannot tell what depends on it", n)))
	}

	found := g.closure(seeds)
	for p, im := range global {
		if _, ok := found[p]; !ok {
			found[p] = im
		}
	}
	out := make([]Impact, 0, len(found))
	for _, im := range found {
		out = append(out, im)
	}
	slices.SortFunc(out, func(a, b Impact) int { return strings.Compare(a.Product, b.Product) })
	return out, nil
}

// seed is a changed node and what changed it.
type seed struct {
	node  string
	cause string // as the user named it
	why   string // how cause relates to node ("is embedded by"); "" when cause is node
}

// closure walks the dependents of every seed at once (breadth first, so
// each product gets a shortest path) and returns the products reached.
func (g *Graph) closure(seeds []seed) map[string]Impact {
	found := map[string]Impact{}
	if len(seeds) == 0 {
		return found
	}
	parent := make(map[string]string, len(seeds))
	origin := make(map[string]int, len(seeds)) // node → index in seeds
	queue := make([]string, 0, len(seeds))
	for i, s := range seeds {
		if _, seen := origin[s.node]; seen {
			continue
		}
		origin[s.node] = i
		queue = append(queue, s.node)
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if g.products[n] {
			found[n] = g.impact(n, seeds[origin[n]], parent)
		}
		for _, d := range g.rdeps[n] {
			if _, seen := origin[d]; seen {
				continue
			}
			origin[d] = origin[n]
			parent[d] = n
			queue = append(queue, d)
		}
	}
	return found
}

func (g *Graph) impact(product string, s seed, parent map[string]string) Impact {
	path := []string{product}
	for n := product; n != s.node; {
		n = parent[n]
		path = append(path, n)
	}
	slices.Reverse(path)
	reason := s.node + " changed"
	if s.why != "" {
		reason = fmt.Sprintf("%s %s %s", s.cause, s.why, s.node)
	}
	if len(path) > 1 {
		reason += "; path: " + strings.Join(path, " → ")
	}
	return Impact{Product: product, Cause: s.cause, Path: path, Reason: reason}
}

// everyProduct marks every product affected by cause.
func (g *Graph) everyProduct(cause, why string) []Impact {
	return g.productsWhere(cause, why, func(string) bool { return true })
}

func (g *Graph) productsWhere(cause, why string, keep func(product string) bool) []Impact {
	var out []Impact
	for _, p := range g.productList() {
		if keep(p) {
			out = append(out, Impact{Product: p, Cause: cause, Reason: why})
		}
	}
	return out
}

// classify maps one changed file to a changed node, or to products affected
// as a whole.
func (g *Graph) classify(file, dir string) (*seed, []Impact) {
	if file == "" {
		return nil, g.everyProduct(file, "empty path in the changed files: cannot tell what it affects")
	}
	abs := file
	if !filepath.IsAbs(abs) {
		base := g.root
		if dir != "" {
			base = dir
		}
		abs = filepath.Join(base, abs)
	}
	abs = filepath.Clean(abs)
	switch name := filepath.Base(abs); name {
	case "go.mod", "go.sum":
		modDir := filepath.Dir(abs)
		if mod, ok := g.modules[modDir]; ok {
			return nil, g.productsWhere(file, fmt.Sprintf("%s changed: it sets what every package of module %s builds with", name, mod),
				func(p string) bool { m, ok := g.module[p]; return !ok || m == modDir })
		}
		return nil, g.everyProduct(file, name+" of an unknown module changed: cannot tell which products it builds")
	case "go.work", "go.work.sum":
		return nil, g.everyProduct(file, name+" changed: it sets what every product builds with")
	}
	if fi, ok := g.files[abs]; ok {
		switch fi.kind {
		case testFile:
			return nil, nil
		case embeddedFile:
			return &seed{node: fi.node, cause: file, why: "is embedded by"}, nil
		case ignoredFile:
			return &seed{node: fi.node, cause: file, why: "(excluded by build constraints here, maybe not elsewhere) is a file of"}, nil
		}
		return &seed{node: fi.node, cause: file, why: "is a source file of"}, nil
	}
	if n, ok := g.dirs[filepath.Dir(abs)]; ok {
		return &seed{node: n, cause: file, why: "is in the directory of"}, nil
	}
	// testdata of a package, not embedded (that was handled above): only
	// its tests read it.
	sep := string(filepath.Separator)
	if i := strings.Index(abs, sep+"testdata"+sep); i > 0 {
		if _, ok := g.dirs[abs[:i]]; ok {
			return nil, nil
		}
	}
	return nil, g.everyProduct(file, "file outside every package directory changed: cannot tell what it affects")
}
