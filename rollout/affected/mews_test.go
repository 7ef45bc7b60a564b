package affected_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/rollout/affected"
)

const (
	commander   = "example.com/mews/cmd/commander"
	distributor = "example.com/mews/cmd/distributor"
	shared      = "example.com/mews/internal/shared"
	billing     = "example.com/mews/internal/billing"
)

// mewsGraph parses testdata/golist.json: `go list -deps -json ./...` run in
// testdata/mews, with its directory rewritten to /src/mews.
func mewsGraph(t testing.TB) *affected.Graph {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "golist.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := affected.ParseGoList(f)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func products(impacts []affected.Impact) []string {
	var out []string
	for _, im := range impacts {
		out = append(out, im.Product)
	}
	return out
}

func mustProducts(t testing.TB, g *affected.Graph, ch *affected.Changes) []affected.Impact {
	t.Helper()
	impacts, err := affected.Products(g, ch)
	if err != nil {
		t.Fatal(err)
	}
	return impacts
}

// The Mews incident: a change to shared code made for Commander also
// releases Distributor, and RequireChecks fails until Distributor has a check.
func TestMewsSharedChangeNeedsDistributorCheck(t *testing.T) {
	g := mewsGraph(t)
	if got := g.Products(); !slices.Equal(got, []string{commander, distributor}) {
		t.Fatalf("products = %v", got)
	}
	if g.Root() != "/src/mews" {
		t.Fatalf("root = %q", g.Root())
	}
	impacts := mustProducts(t, g, &affected.Changes{Files: []string{"cmd/commander/main.go", "internal/shared/shared.go"}})
	if got := products(impacts); !slices.Equal(got, []string{commander, distributor}) {
		t.Fatalf("affected = %v", got)
	}
	d := impacts[1]
	if !slices.Equal(d.Path, []string{shared, distributor}) || d.Cause != "internal/shared/shared.go" {
		t.Fatalf("distributor impact = %+v", d)
	}
	if !strings.Contains(d.Reason, "internal/shared/shared.go is a source file of "+shared) ||
		!strings.Contains(d.Reason, shared+" → "+distributor) {
		t.Errorf("reason = %q", d.Reason)
	}
	if c := impacts[0]; !slices.Equal(c.Path, []string{commander}) {
		t.Errorf("commander changed itself: path %v", c.Path)
	}

	checks := map[string]func(context.Context) error{
		commander: func(context.Context) error { return nil },
	}
	err := affected.RequireChecks(impacts, checks)
	var missing *affected.MissingChecksError
	if !errors.Is(err, affected.ErrNoCheck) || !errors.As(err, &missing) {
		t.Fatalf("RequireChecks without a distributor check: %v", err)
	}
	if !slices.Equal(missing.Products, []string{distributor}) || !strings.Contains(err.Error(), shared+" → "+distributor) {
		t.Fatalf("missing = %v; %v", missing.Products, err)
	}
	checks[distributor] = nil // a nil check is no check
	if err := affected.RequireChecks(impacts, checks); !errors.Is(err, affected.ErrNoCheck) {
		t.Fatalf("nil distributor check accepted: %v", err)
	}
	checks[distributor] = func(context.Context) error { return nil }
	if err := affected.RequireChecks(impacts, checks); err != nil {
		t.Fatalf("RequireChecks with both checks: %v", err)
	}
}

func TestMewsFiles(t *testing.T) {
	g := mewsGraph(t)
	both := []string{commander, distributor}
	for _, tc := range []struct {
		name, file string
		want       []string
		reason     string
		path       bool // a dependency path is expected
	}{
		{"commander only", "cmd/commander/main.go", []string{commander}, "source file", true},
		{"billing reaches commander only", "internal/billing/billing.go", []string{commander}, billing + " → " + commander, true},
		{"embedded template", "internal/shared/templates/banner.tmpl", both, "is embedded by " + shared, true},
		{"non-Go file in a package dir", "internal/billing/rates.csv", []string{commander}, "is in the directory of " + billing, true},
		{"deleted Go file in a package dir", "internal/shared/old.go", both, "is in the directory of", true},
		{"test file releases nothing", "internal/shared/shared_test.go", nil, "", false},
		{"testdata releases nothing", "internal/shared/testdata/golden/banner.txt", nil, "", false},
		{"testdata outside a package", "testdata/x.txt", both, "outside every package directory", false},
		{"non-package subdirectory (build config)", "cmd/distributor/build/minify.json", both, "outside every package directory", false},
		{"go.mod", "go.mod", both, "go.mod changed: it sets what every package of module example.com/mews", false},
		{"go.sum", "go.sum", both, "go.sum changed", false},
		{"go.work", "go.work", both, "go.work changed", false},
		{"build file outside packages", "README.md", both, "outside every package directory", false},
		{"deleted package", "internal/legacy/legacy.go", both, "outside every package directory", false},
		{"nested go.mod of unknown module", "tools/go.mod", both, "unknown module", false},
		{"absolute path", "/src/mews/internal/billing/billing.go", []string{commander}, "source file", true},
		{"empty path", "", both, "empty path", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			impacts := mustProducts(t, g, &affected.Changes{Files: []string{tc.file}})
			if got := products(impacts); !slices.Equal(got, tc.want) {
				t.Fatalf("affected = %v, want %v", got, tc.want)
			}
			for _, im := range impacts {
				if !strings.Contains(im.Reason, tc.reason) || (im.Path != nil) != tc.path || im.Cause != tc.file {
					t.Errorf("%+v: want reason containing %q, path %v", im, tc.reason, tc.path)
				}
			}
		})
	}
}

func TestChangesDir(t *testing.T) {
	g := mewsGraph(t)
	// Paths relative to the repository root, where the module is in mews/.
	impacts := mustProducts(t, g, &affected.Changes{Dir: "/src", Files: []string{"mews/internal/billing/billing.go"}})
	if got := products(impacts); !slices.Equal(got, []string{commander}) {
		t.Fatalf("affected = %v", got)
	}
}

func TestUnknownDiffMarksEverything(t *testing.T) {
	g := mewsGraph(t)
	for name, ch := range map[string]*affected.Changes{
		"nil":          nil,
		"unknown":      {Unknown: "git diff: bad revision", Files: []string{"cmd/commander/main.go"}},
		"unknown node": {Nodes: []string{"example.com/mews/internal/gone"}},
	} {
		impacts := mustProducts(t, g, ch)
		if got := products(impacts); !slices.Equal(got, []string{commander, distributor}) {
			t.Errorf("%s: affected = %v", name, got)
		}
		for _, im := range impacts {
			if im.Path != nil || im.Reason == "" {
				t.Errorf("%s: %+v", name, im)
			}
		}
	}
	if _, err := affected.Products(nil, nil); !errors.Is(err, affected.ErrNilGraph) {
		t.Errorf("nil graph: %v", err)
	}
}

func TestChangedNodes(t *testing.T) {
	g := mewsGraph(t)
	impacts := mustProducts(t, g, &affected.Changes{Nodes: []string{billing}})
	if len(impacts) != 1 || !slices.Equal(impacts[0].Path, []string{billing, commander}) ||
		impacts[0].Reason != billing+" changed; path: "+billing+" → "+commander {
		t.Fatalf("impacts = %+v", impacts)
	}
	if impacts := mustProducts(t, g, &affected.Changes{}); len(impacts) != 0 {
		t.Fatalf("empty change set: %v", impacts)
	}
}

// Real `go list` on the testdata module: the same graph as the golden file.
func TestGoListTestdataModule(t *testing.T) {
	dir := filepath.Join("testdata", "mews")
	g, err := affected.GoList(context.Background(), dir, []string{"./..."},
		affected.Env("GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off", "GOTOOLCHAIN=local"))
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if g.Root() != abs || !slices.Equal(g.Products(), []string{commander, distributor}) {
		t.Fatalf("root %q products %v", g.Root(), g.Products())
	}
	if got, want := g.Nodes(), mewsGraph(t).Nodes(); !slices.Equal(got, want) {
		t.Errorf("nodes = %v, golden file has %v", got, want)
	}
	impacts := mustProducts(t, g, &affected.Changes{Files: []string{filepath.Join(abs, "internal", "shared", "shared.go")}})
	if got := products(impacts); !slices.Equal(got, []string{commander, distributor}) {
		t.Fatalf("affected = %v", got)
	}
	err = affected.RequireChecks(impacts, map[string]bool{commander: true})
	var missing *affected.MissingChecksError
	if !errors.As(err, &missing) || !slices.Equal(missing.Products, []string{distributor}) {
		t.Fatalf("RequireChecks: %v", err)
	}
}

func TestGoListErrors(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join("testdata", "mews")
	env := affected.Env("GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off", "GOTOOLCHAIN=local")
	var nilCtx context.Context
	for name, call := range map[string]func() error{
		"nil ctx":     func() error { _, err := affected.GoList(nilCtx, dir, []string{"./..."}); return err },
		"no patterns": func() error { _, err := affected.GoList(ctx, dir, nil); return err },
		"flag":        func() error { _, err := affected.GoList(ctx, dir, []string{"-toolexec=evil"}); return err },
		"bad env": func() error {
			_, err := affected.GoList(ctx, dir, []string{"./..."}, affected.Env("NOEQUALS"))
			return err
		},
		"nil option": func() error { _, err := affected.GoList(ctx, dir, []string{"./..."}, nil); return err },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, err := affected.GoList(ctx, dir, []string{"./nosuchpkg"}, env)
	if err == nil || !strings.Contains(err.Error(), "nosuchpkg") {
		t.Errorf("missing package: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := affected.GoList(cancelled, dir, []string{"./..."}, env); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
