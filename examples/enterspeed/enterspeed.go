// Package enterspeed replays Enterspeed's partial-schema incident (24
// November): a last-minute change to comparison logic, approved in review,
// made some schemas produce the wrong output; the new test suite that should
// have caught it reported green while its real test did not run.
//
// With deploysafe the comparator's own test checks the laws every sort needs
// (verify.Ordering) and its intended order (verify.Groups), and CI
// reads the `go test -json` stream through verify/suiteguard, which refuses
// to call a run green when its checks did not run.
package enterspeed

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/verify"
	"github.com/deploysafe/deploysafe/verify/suiteguard"
)

// Schema is one source schema of a tenant: the full schema, or a partial
// schema that refines some of its fields. The full schema applies first,
// then the partials by Order, so that a partial's fields win.
type Schema struct {
	Name    string
	Partial bool
	Order   int
}

// reviewed is the comparator as first reviewed: full before partial, then
// by Order, then by name.
func reviewed(a, b Schema) int {
	if a.Partial != b.Partial {
		if b.Partial {
			return -1
		}
		return 1
	}
	return cmp.Or(cmp.Compare(a.Order, b.Order), strings.Compare(a.Name, b.Name))
}

// shipped is the last-minute "simplification": it forgets the case where
// b is the partial one, so a full schema and a partial schema of the same
// Order fall through to comparing names.
func shipped(a, b Schema) int {
	if a.Partial && !b.Partial {
		return 1
	}
	return cmp.Or(cmp.Compare(a.Order, b.Order), strings.Compare(a.Name, b.Name))
}

// fields each schema sets; the delivery output is all of them applied in order.
var fields = map[string]map[string]string{
	"product": {"title": "Desk lamp", "price": "49.00"},
	"price":   {"price": "39.00 (campaign)"},
	"seo":     {"slug": "desk-lamp"},
}

func render(schemas []Schema, order func(a, b Schema) int) (applied []string, out map[string]string) {
	schemas = slices.Clone(schemas)
	slices.SortFunc(schemas, order)
	out = map[string]string{}
	for _, s := range schemas {
		applied = append(applied, s.Name)
		for k, v := range fields[s.Name] {
			out[k] = v
		}
	}
	return applied, out
}

// tenant's schemas, in the order the store returns them.
var tenant = []Schema{{"price", true, 0}, {"seo", true, 1}, {"product", false, 0}}

// genSchema draws schemas for the comparator's test from a small domain
// (8 values), so that ties and every full-versus-partial pair are frequent.
var genSchema = rapid.Custom(func(t *rapid.T) Schema {
	return Schema{
		Name:    rapid.SampledFrom([]string{"product", "price"}).Draw(t, "name"),
		Partial: rapid.Bool().Draw(t, "partial"),
		Order:   rapid.IntRange(0, 1).Draw(t, "order"),
	}
})

// intended is the order the team means, written out by hand.
var intended = [][]Schema{{{"product", false, 0}}, {{"price", true, 0}}, {{"seo", true, 1}}}

// comparatorTest is the comparator's test as the team would write it with
// verify.OrderingT and verify.Groups in a _test.go file.
func comparatorTest(order func(a, b Schema) int) error {
	if _, err := verify.Ordering(order, genSchema); err != nil {
		return err
	}
	return verify.Groups(order, intended)
}

//go:embed testdata/suite.json
var suiteRun []byte // `go test -json ./...` as the new suite ran it in CI

// Replay runs the deploy without and with deploysafe.
func Replay(ctx context.Context, env replay.Env) (replay.Outcome, error) {
	// Without: the shipped comparator sorts the tenant's schemas without a
	// word from Go, and the full schema overwrites the campaign price.
	applied, out := render(tenant, shipped)
	env.Logf("applied in order %v: price = %q (want %q)", applied, out["price"], fields["price"]["price"])
	wrong := out["price"] != fields["price"]["price"]
	// ... and CI, which trusts go test's exit status, sees no failure.
	green := !bytes.Contains(suiteRun, []byte(`"Action":"fail"`))
	env.Printf("without: output price %q, the partial's %q lost; go test exit 0, CI green",
		out["price"], fields["price"]["price"])
	if !wrong || !green {
		return replay.Outcome{}, errors.New("the incident did not reproduce")
	}

	// With, check 1: the comparator's test. verify's generated checks run
	// rapid, which reads package testing's flags: outside `go test` they
	// must be initialized first.
	if !flag.Parsed() {
		testing.Init()
		if err := flag.CommandLine.Parse(nil); err != nil {
			return replay.Outcome{}, err
		}
	}
	// The test passes on the reviewed comparator and fails on every broken
	// variant of it: it is a test that can fail.
	if err := verify.Sensitive(comparatorTest, reviewed); err != nil {
		return replay.Outcome{}, fmt.Errorf("the comparator test is not trustworthy: %w", err)
	}
	env.Logf("verify.Sensitive: the test passes the reviewed comparator and fails each of its mutants")
	var law *verify.LawError
	err := comparatorTest(shipped)
	if !errors.As(err, &law) {
		return replay.Outcome{Without: "partial schema lost; CI green", With: fmt.Sprint("verify: ", err)}, nil
	}
	env.Logf("verify.Ordering on the shipped comparator: %s", firstLine(err))
	env.Logf("  witness: %v; %s", law.Values, strings.Join(law.Calls, ", "))

	// With, check 2: the same `go test -json` stream, read by suiteguard in CI.
	var details io.Writer = io.Discard
	if env.Verbose {
		details = indent{env.Out}
	}
	sum := suiteguard.Check(bytes.NewReader(suiteRun), details, suiteguard.Options{CI: true})
	for _, p := range sum.Problems {
		env.Logf("suiteguard: %s", p)
	}
	env.Printf("with:    verify.Ordering: %s broken; suiteguard: %d problems, run green: %t",
		law.Law, len(sum.Problems), sum.OK())

	suite := "suite red"
	if sum.OK() {
		suite = "suiteguard: green"
	}
	return replay.Outcome{
		Without: "partial schema lost; CI green",
		With:    "Ordering: " + law.Law + "; " + suite,
		Caught:  !sum.OK(),
	}, nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// indent prefixes suiteguard's output lines in verbose mode.
type indent struct{ w io.Writer }

func (i indent) Write(p []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if line != "" {
			if _, err := io.WriteString(i.w, "      | "+line); err != nil {
				return 0, err
			}
		}
	}
	return len(p), nil
}
