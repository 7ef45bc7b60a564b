package affected

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// listPackage is the part of a `go list -json` package this package reads.
type listPackage struct {
	Dir        string
	ImportPath string
	Name       string
	ForTest    string
	Standard   bool
	Module     *struct {
		Path string
		Dir  string
		Main bool
	}
	Imports []string

	GoFiles, CgoFiles, CFiles, CXXFiles, MFiles, HFiles, FFiles, SFiles,
	SwigFiles, SwigCXXFiles, SysoFiles, IgnoredGoFiles, IgnoredOtherFiles []string
	EmbedFiles, TestEmbedFiles, XTestEmbedFiles []string
	TestGoFiles, XTestGoFiles                   []string

	Error      *struct{ Err string }
	DepsErrors []*struct{ Err string }
}

// ErrGoList marks go list output that cannot be used: malformed JSON, or
// packages that go list itself could not load.
var ErrGoList = errors.New("affected: unusable go list output")

// ParseGoList builds a Graph from the output of `go list -deps -json`: a
// stream of JSON package objects, dependencies before dependents. Main
// packages are products; standard-library packages are left out; test
// variants (go list -test) are nodes but not products. The root is the main
// module's directory.
func ParseGoList(r io.Reader) (*Graph, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrGoList)
	}
	g := &Graph{}
	g.init()
	seen := map[string]bool{} // import path → Standard
	dec := json.NewDecoder(r)
	for i := 0; ; i++ {
		var p listPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%w: package %d: %w", ErrGoList, i, err)
		}
		if err := g.addListPackage(&p, seen); err != nil {
			return nil, fmt.Errorf("%w: package %d: %w", ErrGoList, i, err)
		}
	}
	return g, nil
}

func (g *Graph) addListPackage(p *listPackage, seen map[string]bool) error {
	switch {
	case p.ImportPath == "":
		return errors.New("no ImportPath")
	case hasKey(seen, p.ImportPath):
		return fmt.Errorf("%s listed twice", p.ImportPath)
	case p.Error != nil:
		return fmt.Errorf("%s: %s", p.ImportPath, p.Error.Err)
	case len(p.DepsErrors) > 0 && p.DepsErrors[0] != nil:
		return fmt.Errorf("%s: dependency error: %s", p.ImportPath, p.DepsErrors[0].Err)
	case p.Dir != "" && !filepath.IsAbs(p.Dir):
		return fmt.Errorf("%s: Dir %q is not absolute", p.ImportPath, p.Dir)
	case p.Module != nil && p.Module.Dir != "" && !filepath.IsAbs(p.Module.Dir):
		return fmt.Errorf("%s: Module.Dir %q is not absolute", p.ImportPath, p.Module.Dir)
	}
	seen[p.ImportPath] = p.Standard
	if p.Standard {
		return nil
	}
	var deps []string
	for _, imp := range p.Imports {
		// Dependencies come first in go list -deps, so seen knows them.
		if imp != "" && !seen[imp] {
			deps = append(deps, imp)
		}
	}
	// Test variants and test mains (go list -test) share the real
	// package's directory and files, and are never released.
	testVariant := p.ForTest != "" || strings.HasSuffix(p.ImportPath, ".test")
	add := g.Add
	if p.Name == "main" && !testVariant {
		add = g.AddProduct
	}
	if err := add(p.ImportPath, deps...); err != nil {
		return err
	}
	if p.Module != nil && p.Module.Dir != "" {
		modDir := filepath.Clean(p.Module.Dir)
		g.module[p.ImportPath] = modDir
		g.modules[modDir] = p.Module.Path
		if p.Module.Main && g.root == "" {
			g.root = modDir
		}
	}
	if p.Dir == "" || testVariant {
		return nil
	}
	dir := filepath.Clean(p.Dir)
	g.dirs[dir] = p.ImportPath
	addFiles := func(kind fileKind, lists ...[]string) {
		for _, list := range lists {
			for _, f := range list {
				g.files[filepath.Join(dir, filepath.FromSlash(f))] = fileInfo{node: p.ImportPath, kind: kind}
			}
		}
	}
	addFiles(testFile, p.TestGoFiles, p.XTestGoFiles, p.TestEmbedFiles, p.XTestEmbedFiles)
	addFiles(ignoredFile, p.IgnoredGoFiles, p.IgnoredOtherFiles)
	addFiles(sourceFile, p.GoFiles, p.CgoFiles, p.CFiles, p.CXXFiles, p.MFiles, p.HFiles, p.FFiles,
		p.SFiles, p.SwigFiles, p.SwigCXXFiles, p.SysoFiles)
	addFiles(embeddedFile, p.EmbedFiles) // last: a file embedded by the package and its tests is the package's
	return nil
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// An Option configures GoList.
type Option interface{ apply(*options) }

type options struct{ env []string }

type envOption []string

func (e envOption) apply(o *options) { o.env = append(o.env, e...) }

// Env adds "KEY=value" entries to the go command's environment (on top of
// the process's), e.g. Env("GOFLAGS=-mod=mod", "GOWORK=off").
func Env(kv ...string) Option { return envOption(kv) }

// GoList runs `go list -deps -json` for patterns in dir and parses its
// output with ParseGoList. The go command is found in PATH and killed when
// ctx ends. Its standard error is part of the returned error.
func GoList(ctx context.Context, dir string, patterns []string, opts ...Option) (*Graph, error) {
	if ctx == nil {
		return nil, errors.New("affected: GoList: nil context")
	}
	if len(patterns) == 0 {
		return nil, errors.New("affected: GoList: no package patterns")
	}
	for _, p := range patterns {
		if p == "" || strings.HasPrefix(p, "-") {
			return nil, fmt.Errorf("affected: GoList: invalid package pattern %q", p)
		}
	}
	var o options
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("affected: GoList: nil Option")
		}
		opt.apply(&o)
	}
	for _, kv := range o.env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return nil, fmt.Errorf("affected: GoList: Env entry %q is not KEY=value", kv)
		}
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"list", "-deps", "-json"}, patterns...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), o.env...)
	cmd.WaitDelay = 5 * time.Second // never wait forever on a killed go command's pipes
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = fmt.Errorf("%w (%w)", ctxErr, err)
		}
		return nil, fmt.Errorf("affected: go list -deps -json %s in %q: %w: %s",
			strings.Join(patterns, " "), dir, err, truncate(stderr.String(), 2000))
	}
	return ParseGoList(&stdout)
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
