package suiteguard

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// absentMarker starts the word a test prints when it skips because a server
// it needs is absent: "server absent: NAME …", NAME being the environment
// variable that would have pointed it at one. internal/testenv writes it;
// any suite may.
const absentMarker = "server absent: "

// absentSkips counts skips for absent servers apart from other skips, so the
// floor can tell "the servers were not there" from "tests were deleted".
type absentSkips struct {
	pending map[string]string // test key → variable named in its output
	tests   map[string]string // test that skipped for an absent server → its variable
}

// see records the variable named by an absent-server message in a test's output.
func (a *absentSkips) see(key, output string) {
	_, rest, ok := strings.Cut(output, absentMarker)
	if !ok {
		return
	}
	name, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	if a.pending == nil {
		a.pending = map[string]string{}
	}
	a.pending[key] = strings.TrimRight(name, ":;,.")
}

// verdict forgets key's message, and reports whether the test skipped for an
// absent server (counting it if so).
func (a *absentSkips) verdict(key, where string, skipped bool) bool {
	name, ok := a.pending[key]
	delete(a.pending, key)
	if !ok || !skipped {
		return false
	}
	if a.tests == nil {
		a.tests = map[string]string{}
	}
	a.tests[where] = name
	return true
}

// names lists the variables named by tests (all when tests is nil), sorted
// and once each: "DEPLOYSAFE_PG_DSN, DEPLOYSAFE_S3_ENDPOINT".
func (a *absentSkips) names(tests []string) string {
	seen := map[string]bool{}
	var vs []string
	for w, v := range a.tests {
		if !seen[v] && (tests == nil || slices.Contains(tests, w)) {
			seen[v] = true
			vs = append(vs, v)
		}
	}
	sort.Strings(vs)
	return strings.Join(vs, ", ")
}

// inCI is the one problem for every absent-server skip CI did not allow.
func (a *absentSkips) inCI(notAllowed []string) string {
	sort.Strings(notAllowed)
	eg := notAllowed
	if len(eg) > 3 {
		eg = append(eg[:3:3], "…")
	}
	return fmt.Sprintf("%d tests skipped in CI because servers are absent (%s not set): CI must start them (%s)",
		len(notAllowed), a.names(notAllowed), strings.Join(eg, ", "))
}

// belowFloor explains a count of passing tests below the floor.
func (a *absentSkips) belowFloor(passed, floor int) string {
	short, n := floor-passed, len(a.tests)
	// if, not switch: gremlins cannot mutate case expressions (TESTING.md).
	if n == 0 {
		return fmt.Sprintf("%d tests passed, below the recorded floor of %d: were tests deleted or silently disabled? (raise or lower the floor file in the same change, on purpose)", passed, floor)
	}
	if n >= short {
		return fmt.Sprintf("%d tests passed, below the recorded floor of %d, because %d tests skipped as their servers are absent (%s not set): start the servers, or point those variables at yours, and run again", passed, floor, n, a.names(nil))
	}
	return fmt.Sprintf("%d tests passed, below the recorded floor of %d: %d skipped because servers are absent (%s not set), and %d more are missing: were tests deleted or silently disabled? (raise or lower the floor file in the same change, on purpose)", passed, floor, n, a.names(nil), short-n)
}
