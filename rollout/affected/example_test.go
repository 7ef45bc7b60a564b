package affected_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/deploysafe/deploysafe/rollout/affected"
)

// The Mews incident: a change to shared code, made for Commander, also
// releases Distributor, which has no smoke check.
func ExampleProducts() {
	var g affected.Graph
	_ = g.Add("shared")
	_ = g.AddProduct("commander", "shared")
	_ = g.AddProduct("distributor", "shared")

	impacts, err := affected.Products(&g, &affected.Changes{Nodes: []string{"shared"}})
	if err != nil {
		panic(err)
	}
	for _, im := range impacts {
		fmt.Println(im)
	}
	smokeChecks := map[string]string{"commander": "GET /healthz"}
	fmt.Println(affected.RequireChecks(impacts, smokeChecks))
	// Output:
	// commander: shared changed; path: shared → commander
	// distributor: shared changed; path: shared → distributor
	// affected: 1 affected product(s) without a check:
	// 	distributor: shared changed; path: shared → distributor
}

// ParseGoList reads `go list -deps -json ./...` output (here saved from
// testdata/mews); GoList runs the command itself.
func ExampleParseGoList() {
	f, err := os.Open(filepath.Join("testdata", "golist.json"))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	g, err := affected.ParseGoList(f)
	if err != nil {
		panic(err)
	}
	all, _ := affected.Products(g, nil) // nil Changes: every product
	for _, im := range all {
		fmt.Println(im.Product)
	}
	impacts, _ := affected.Products(g, &affected.Changes{
		Files: []string{"internal/shared/templates/banner.tmpl", "internal/shared/shared_test.go"},
	})
	for _, im := range impacts {
		fmt.Println(im.Product, "←", im.Cause)
	}
	impacts, _ = affected.Products(g, &affected.Changes{Files: []string{"go.sum"}})
	fmt.Println(impacts[1])
	// Output:
	// example.com/mews/cmd/commander
	// example.com/mews/cmd/distributor
	// example.com/mews/cmd/commander ← internal/shared/templates/banner.tmpl
	// example.com/mews/cmd/distributor ← internal/shared/templates/banner.tmpl
	// example.com/mews/cmd/distributor: go.sum changed: it sets what every package of module example.com/mews builds with
}

// GoList runs `go list -deps -json` itself; here on testdata/mews, offline.
func ExampleGoList() {
	g, err := affected.GoList(context.Background(), filepath.Join("testdata", "mews"), []string{"./..."},
		affected.Env("GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off"))
	if err != nil {
		panic(err)
	}
	impacts, _ := affected.Products(g, &affected.Changes{Files: []string{"internal/billing/billing.go"}})
	for _, im := range impacts {
		fmt.Println(im.Path)
	}
	// Output:
	// [example.com/mews/internal/billing example.com/mews/cmd/commander]
}
