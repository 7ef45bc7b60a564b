package verify_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

func TestEquivalenceCatchesBugs(t *testing.T) {
	t.Run("time.Time ==", func(t *testing.T) {
		_, err := verify.Equivalence(func(a, b time.Time) bool { return a == b }, genInstant(),
			verify.Order(time.Time.Compare))
		le := lawError(t, err)
		if !strings.HasPrefix(le.Law, "consistency with the order") || len(le.Values) != 2 {
			t.Errorf("got %v", err)
		}
	})
	t.Run("case-insensitive order, case-sensitive equality", func(t *testing.T) {
		_, err := verify.Equivalence(func(a, b string) bool { return a == b }, genWord(),
			verify.Order(func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }))
		le := lawError(t, err)
		if !strings.HasPrefix(le.Law, "consistency with the order") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("EqualFold with a case-sensitive key", func(t *testing.T) {
		_, err := verify.Equivalence(strings.EqualFold, genWord(), verify.Key(func(s string) string { return s }))
		le := lawError(t, err)
		if !strings.HasPrefix(le.Law, "consistency with the key") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("intransitive closeness", func(t *testing.T) {
		near := func(a, b int) bool { return a-b <= 1 && b-a <= 1 }
		_, err := verify.Equivalence(near, rapid.IntRange(0, 4), verify.NoDefaultEdges())
		if le := lawError(t, err); le.Law != "transitivity" || len(le.Values) != 3 {
			t.Errorf("got %v", err)
		}
	})
	t.Run("asymmetric", func(t *testing.T) {
		_, err := verify.Equivalence(func(a, b int) bool { return a <= b }, rapid.IntRange(0, 4))
		if le := lawError(t, err); le.Law != "symmetry" {
			t.Errorf("got %v", err)
		}
	})
}

func TestEquivalenceCorrect(t *testing.T) {
	verify.EquivalenceT(t, time.Time.Equal, genInstant(), verify.Order(time.Time.Compare),
		verify.Key(func(t time.Time) int64 { return t.UnixNano() }), verify.Require(verify.Report{True: 1}))
	verify.EquivalenceT(t, strings.EqualFold, genWord(), verify.Key(foldKey))
}

func TestEquivalenceBadInput(t *testing.T) {
	eq := func(a, b int) bool { return a == b }
	if _, err := verify.Equivalence[int](nil, rapid.Int()); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil eq: %v", err)
	}
	if _, err := verify.Equivalence(eq, nil); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil generator: %v", err)
	}
	if _, err := verify.Equivalence(eq, rapid.Just(1)); !errors.Is(err, verify.ErrVacuous) {
		t.Errorf("constant generator: %v", err)
	}
	if _, err := verify.Equivalence(eq, rapid.Int(), verify.Order(strings.Compare)); !errors.Is(err, verify.ErrBadOption) {
		t.Errorf("order of another type: %v", err)
	}
	if _, err := verify.Equivalence(eq, rapid.Int(), verify.Order[int](nil)); !errors.Is(err, verify.ErrBadOption) {
		t.Errorf("nil order: %v", err)
	}
}

func TestGroups(t *testing.T) {
	utc := time.Unix(100, 0).UTC()
	cet := utc.In(time.FixedZone("CET", 3600))
	later := utc.Add(time.Second)
	groups := [][]time.Time{{utc, cet}, {later}}

	must(t, verify.Groups(time.Time.Equal, groups, verify.Order(time.Time.Compare)))
	err := verify.Groups(func(a, b time.Time) bool { return a == b }, groups)
	if le := lawError(t, err); le.Law != "equality within a group" {
		t.Errorf("== on times: %v", err)
	}
	// Reversed groups: the order is wrong.
	err = verify.Groups(time.Time.Equal, [][]time.Time{{later}, {utc}}, verify.Order(time.Time.Compare))
	if le := lawError(t, err); le.Law != "order across groups" {
		t.Errorf("reversed: %v", err)
	}
	err = verify.Groups(strings.EqualFold, [][]string{{"a", "A"}}, verify.Key(func(s string) string { return s }))
	if le := lawError(t, err); le.Law != "equal keys within a group" {
		t.Errorf("key: %v", err)
	}

	if err := verify.Groups[int, func(a, b int) bool](nil, [][]int{{1}, {2}}); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil eq: %v", err)
	}
	if err := verify.Groups(func(a, b int) bool { return a == b }, [][]int{{1}, {}}); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("empty group: %v", err)
	}
	if err := verify.Groups(func(a, b int) bool { return a == b }, [][]int{{1}}); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("one value: %v", err)
	}
}

func TestOrderedGroups(t *testing.T) {
	groups := [][]person{{{"ada", "bob"}, {"ada", "bob"}}, {{"ada", "cy"}}, {{"bob", "ada"}}}
	must(t, verify.Groups(correctPerson, groups))
	reversed := func(a, b person) int { return correctPerson(b, a) }
	if le := lawError(t, verify.Groups(reversed, groups)); le.Law != "order across groups" {
		t.Errorf("reversed: %v", le)
	}
	if err := verify.Groups[int, func(a, b int) int](nil, [][]int{{1}, {2}}); !errors.Is(err, verify.ErrBadInput) {
		t.Errorf("nil cmp: %v", err)
	}
}

// foldKey maps every string of one simple case-fold orbit (s, S, ſ; k, K,
// the Kelvin sign) to one key, as strings.EqualFold needs; ToLower alone
// keeps ſ apart from s.
func foldKey(s string) string { return strings.ToLower(strings.ToUpper(s)) }
