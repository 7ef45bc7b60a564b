// Package suiteguard refuses to call a test run green when its checks did not
// run or could not fail — the second half of the Enterspeed incident, where a
// misconfigured suite reported green while its tests failed in the background.
//
// It reads the `go test -json` stream and fails the run when any test or
// package failed or did not build; no test ran; a package with test files ran
// none (a -run pattern that matched nothing); a test was skipped in CI without
// an allow-list entry and a reason; a panic showed in the output, including a
// failure logged after its test had completed; a test started and never
// finished; or fewer tests passed than a recorded floor.
//
// A test that skips because a server it needs is absent says so with
// "server absent: NAME" (NAME: the variable that points tests at one, as
// internal/testenv writes it). Such skips are counted apart ([Summary.Absent]),
// so a run below the floor says whether absent servers explain it or tests
// are missing, and CI reports them as one problem naming the variables.
//
//	sum := suiteguard.Check(stream, os.Stdout, suiteguard.Options{CI: true, Floor: 1200})
//	fmt.Println(sum) // suiteguard: 1214 passed, 0 failed, 0 skipped
//	if !sum.OK() {
//		for _, p := range sum.Problems { … }
//	}
//
// The command github.com/deploysafe/deploysafe/verify/cmd/suiteguard wraps
// Check for a shell pipeline:
//
//	go test -race -json ./... 2>&1 | go run ./verify/cmd/suiteguard -floor .ci/test-floor
package suiteguard
