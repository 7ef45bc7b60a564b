// Package affected finds every product whose release a change triggers, and
// why, so that no dependent product ships unchecked.
//
// Mews, 2019: a small addition to a shared module, made for one product
// (Commander), also released another (Distributor), whose start-up it broke;
// nobody checked Distributor because the task was about Commander. The
// reverse transitive closure of the change names Distributor, and
// RequireChecks refuses to go on while it has no smoke check:
//
//	g, err := affected.GoList(ctx, repoDir, []string{"./..."})
//	if err != nil {
//		return err // no graph: treat every product as affected
//	}
//	impacts, err := affected.Products(g, &affected.Changes{Files: changedFiles})
//	if err != nil {
//		return err
//	}
//	for _, im := range impacts {
//		fmt.Println(im) // example.com/mews/cmd/distributor: internal/shared/shared.go → …
//	}
//	return affected.RequireChecks(impacts, smokeChecks) // *MissingChecksError
//
// # What counts as a change
//
// Products is conservative: when it cannot tell what a change touches, it
// marks every product it could touch, and says so in the Impact's Reason.
//
//   - A Go, cgo, assembly or other listed source file, a file excluded by
//     build constraints, or any other file in a package's directory: that
//     package, and every product that depends on it.
//   - An embedded file (//go:embed): the package that embeds it.
//   - A _test.go file of a package, or a file under its testdata directory
//     that no package embeds: no product (tests are not released).
//   - go.mod or go.sum: every product of that module; go.work, go.work.sum,
//     and any file outside every package directory (build scripts,
//     Dockerfiles, deleted packages): every product.
//   - A nil *Changes, or Changes.Unknown set (the diff could not be
//     computed): every product.
//
// # Graphs
//
// GoList runs `go list -deps -json` and ParseGoList reads its output: main
// packages are products, standard-library packages are left out. Any other
// dependency graph (modules, npm workspaces, services) can be built with
// Graph.Add and Graph.AddProduct and queried with Changes.Nodes.
package affected
