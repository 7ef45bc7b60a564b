package affected

import "slices"

// What the tests inspect and users need not: the graph's contents (users
// query it with Products) and the nil-graph error.

var ErrNilGraph = errNilGraph

func (g *Graph) Root() string {
	if g == nil {
		return ""
	}
	return g.root
}

func (g *Graph) Nodes() []string {
	if g == nil {
		return nil
	}
	return g.nodeList()
}

func (g *Graph) Products() []string {
	if g == nil {
		return nil
	}
	return g.productList()
}

func (g *Graph) Deps(node string) []string {
	if g == nil {
		return nil
	}
	return slices.Clone(g.deps[node])
}
