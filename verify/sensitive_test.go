package verify_test

import (
	"cmp"
	"errors"
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
