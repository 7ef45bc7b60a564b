package verify_test

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

// semverMixed orders "major.minor.patch[-pre]" versions, but compares two
// prerelease identifiers numerically only when both are numbers and as
// strings otherwise, where SemVer puts numbers before words: "rc.9" <
// "rc.10" < "rc.10a" < "rc.9". Published in more than one Go semver module.
func semverMixed(a, b string) int { return semver(a, b, false) }

// semverRight is its fix: a number before a word.
func semverRight(a, b string) int { return semver(a, b, true) }

func semver(a, b string, right bool) int {
	ca, pa, _ := strings.Cut(a, "-")
	cb, pb, _ := strings.Cut(b, "-")
	xa, xb := strings.Split(ca, "."), strings.Split(cb, ".")
	for i := range max(len(xa), len(xb)) {
		var na, nb int // a missing or unparsable part reads as 0
		if i < len(xa) {
			na, _ = strconv.Atoi(xa[i])
		}
		if i < len(xb) {
			nb, _ = strconv.Atoi(xb[i])
		}
		if c := cmp.Compare(na, nb); c != 0 {
			return c
		}
	}
	switch {
	case pa == pb:
		return 0
	case pa == "":
		return 1
	case pb == "":
		return -1
	}
	ia, ib := strings.Split(pa, "."), strings.Split(pb, ".")
	for i := range min(len(ia), len(ib)) {
		na, ea := strconv.Atoi(ia[i])
		nb, eb := strconv.Atoi(ib[i])
		c := strings.Compare(ia[i], ib[i])
		switch {
		case ea == nil && eb == nil:
			c = cmp.Compare(na, nb)
		case right && (ea == nil) != (eb == nil):
			c = cmp.Compare(b2i(ea != nil), b2i(eb != nil))
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(ia), len(ib))
}

// genSemver draws versions as a user writes it first: a core of small
// numbers and, half the time, a prerelease tag "alpha.N", "beta.N", "rc.N".
func genSemver() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		v := fmt.Sprintf("%d.%d.%d", rapid.IntRange(0, 20).Draw(t, "major"), rapid.IntRange(0, 20).Draw(t, "minor"), rapid.IntRange(0, 20).Draw(t, "patch"))
		if rapid.Bool().Draw(t, "pre") {
			v += "-" + rapid.SampledFrom([]string{"alpha", "beta", "rc"}).Draw(t, "tag") + "." + strconv.Itoa(rapid.IntRange(0, 20).Draw(t, "n"))
		}
		return v
	})
}

// Two versions that share their core and differ in a related prerelease
// tag almost never meet among independent draws; the neighbours of each
// drawn value (a digit run changed, a suffix added) reach them.
func TestNeighboursFindRelatedPrerelease(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		if _, err := verify.Ordering(semverRight, genSemver(), verify.Seed(seed)); err != nil {
			t.Fatalf("the fixed comparator fails: %v", err)
		}
		_, err := verify.Ordering(semverMixed, genSemver(), verify.Seed(seed))
		le := lawError(t, err)
		a, _, _ := strings.Cut(fmt.Sprint(le.Values[0]), "-")
		for _, v := range le.Values[1:] {
			if b, _, _ := strings.Cut(fmt.Sprint(v), "-"); a != b {
				t.Errorf("seed %d: witness does not share a core: %v", seed, le)
			}
		}
	}
}

// TestNeighbourRates prints, with -verify.reach, the catch rate of the
// related-prerelease bug over 20 seeds with and without the neighbours.
func TestNeighbourRates(t *testing.T) {
	if !*printReach {
		return
	}
	n := uint64(20)
	if *printTable {
		n = 100
	}
	for _, o := range [][]verify.Option{nil, {verify.NoDefaultEdges("near")}} {
		k := 0
		for seed := uint64(1); seed <= n; seed++ {
			if _, err := verify.Ordering(semverMixed, genSemver(), append(o, verify.Seed(seed))...); err != nil {
				k++
			}
		}
		fmt.Printf("| near | semver prerelease, mixed identifiers as strings | %d options | %d/%d |\n", len(o), k, n)
	}
}
