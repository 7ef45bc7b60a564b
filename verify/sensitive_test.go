package verify_test

import (
	"cmp"
	"errors"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

func TestSensitiveOrderingAloneMissesReversal(t *testing.T) {
	check := func(c func(a, b int) int) error {
		_, err := verify.Ordering(c, rapid.IntRange(-5, 5))
		return err
	}
	err := verify.Sensitive(check, cmp.Compare[int])
	var se *verify.SensitivityError
	if !errors.As(err, &se) || !errors.Is(err, verify.ErrVacuous) {
		t.Fatalf("want a SensitivityError, got %v", err)
	}
	// The reverse of an order is an order: only these survive.
	if strings.Join(se.Survivors, "|") != "swapped arguments|negated result" {
		t.Errorf("survivors: %q, caught %q", se.Survivors, se.Caught)
	}
}

func TestSensitiveCombinedCheckCatchesAll(t *testing.T) {
	check := func(c func(a, b person) int) error {
		if _, err := verify.Ordering(c, genPerson()); err != nil {
			return err
		}
		return verify.Groups(c, [][]person{{{"ada", "bob"}}, {{"ada", "cy"}}, {{"bob", "ada"}}})
	}
	must(t, verify.Sensitive(check, correctPerson))
}

func TestSensitiveBadInput(t *testing.T) {
	if err := verify.Sensitive[int](nil, cmp.Compare[int]); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil check: %v", err)
	}
	// A check that fails on the original is reported, not mistaken for sensitivity.
	failing := func(func(a, b int) int) error { return errors.New("always") }
	if err := verify.Sensitive(failing, cmp.Compare[int]); err == nil || !strings.Contains(err.Error(), "original") {
		t.Errorf("failing check: %v", err)
	}
	// A check that never calls cmp catches nothing.
	lazy := func(func(a, b int) int) error { return nil }
	var se *verify.SensitivityError
	if err := verify.Sensitive(lazy, cmp.Compare[int]); !errors.As(err, &se) || len(se.Caught) != 0 {
		t.Errorf("lazy check: %v", err)
	}
}

// Whether a mutant is caught does not depend on the seed or on how wide the
// generator is: over 100 seeds, with a struct of ints 0-9 and a struct of
// rapid.Int() fields, an Ordering-only test lets exactly the two reversed
// comparators through, and Ordering with Groups kills all seven.
func TestSensitiveDeterministic(t *testing.T) {
	seeds := 100
	if testing.Short() {
		seeds = 10
	}
	byAB := func(a, b pair) int { return cmp.Or(cmp.Compare(a.A, b.A), cmp.Compare(a.B, b.B)) }
	for _, g := range []struct {
		name string
		gen  *rapid.Generator[pair]
	}{{"narrow", genPair()}, {"wide", genWidePair()}} {
		orderingOnly := func(c func(a, b pair) int) error { _, err := verify.Ordering(c, g.gen); return err }
		withGroups := func(c func(a, b pair) int) error {
			if err := orderingOnly(c); err != nil {
				return err
			}
			return verify.Groups(c, [][]pair{{{0, 0}}, {{0, 1}}, {{1, 0}}})
		}
		for seed := 1; seed <= seeds; seed++ {
			setFlag(t, "rapid.seed", strconv.Itoa(seed))
			var se *verify.SensitivityError
			err := verify.Sensitive(orderingOnly, byAB)
			if !errors.As(err, &se) || strings.Join(se.Survivors, "|") != "swapped arguments|negated result" || len(se.Caught) != 5 {
				t.Fatalf("%s, seed %d, Ordering only: %v", g.name, seed, err)
			}
			if se.Seed != uint64(seed) {
				t.Errorf("SensitivityError.Seed = %d, want %d", se.Seed, seed)
			}
			if err := verify.Sensitive(withGroups, byAB); err != nil {
				t.Fatalf("%s, seed %d, with Groups: %v", g.name, seed, err)
			}
		}
	}
}
