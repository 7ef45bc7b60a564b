// Command suiteguard keeps a test suite from reporting green when its checks
// did not run or could not fail. It reads `go test -json` on standard input,
// passes the readable output through, and exits 1 when package
// github.com/deploysafe/deploysafe/verify/suiteguard finds a problem: a
// failure, no test run, a package that ran none, a skip in CI that the
// allow-file does not excuse, a panic or a failure after a test completed,
// a test that never finished, or fewer passing tests than the floor.
//
// It ends with one line, `suiteguard: N passed, N failed, N skipped`.
//
//	set -o pipefail
//	go test -race -json ./... 2>&1 | go run ./verify/cmd/suiteguard -floor .ci/test-floor -allow .ci/skips-allowed
//
// Flags:
//
//	-ci             apply CI's rules: a skip fails unless -allow lists it
//	                (default: true when the CI environment variable is set, and not "false" or "0")
//	-allow FILE     skips allowed in CI: lines of "package test reason…" ("-" as test: may run none)
//	-floor FILE     fewest passing tests accepted (one integer; # comments)
//	-write-floor    after a green run, record its passing count in the -floor file
//	-v              pass every output line through, as go test -v would
//
// Without servers, tests that need them skip with "server absent: NAME"; the
// closing line counts them, and a run below the floor says whether those
// skips explain it or tests are missing.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/deploysafe/deploysafe/verify/suiteguard"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv("CI")))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, ciEnv string) int {
	fl := flag.NewFlagSet("suiteguard", flag.ContinueOnError)
	fl.SetOutput(stderr)
	allowPath := fl.String("allow", "", "file of skips allowed in CI (package test reason…)")
	floorPath := fl.String("floor", "", "file holding the fewest passing tests accepted")
	record := fl.Bool("write-floor", false, "after a green run, record its passing count in the -floor file")
	verbose := fl.Bool("v", false, "pass every output line through")
	ci := fl.Bool("ci", ciEnv != "" && ciEnv != "false" && ciEnv != "0", "apply CI's rules: a skip fails unless -allow lists it (default from $CI)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 || (*record && *floorPath == "") {
		fmt.Fprintln(stderr, "usage: go test -json ./... | suiteguard [-ci] [-allow FILE] [-floor FILE [-write-floor]] [-v]")
		return 2
	}
	opts := suiteguard.Options{CI: *ci, Verbose: *verbose}
	var err error
	if opts.Allow, err = loadAllow(*allowPath); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *floorPath != "" && !*record {
		if opts.Floor, err = suiteguard.ReadFloor(*floorPath); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}

	sum := suiteguard.Check(stdin, stdout, opts)
	for _, p := range sum.Problems {
		fmt.Fprintf(stdout, "suiteguard: FAIL: %s\n", p)
	}
	code := 0
	if !sum.OK() {
		code = 1
	} else if *record {
		if err := suiteguard.WriteFloor(*floorPath, sum.Passed); err != nil {
			fmt.Fprintf(stdout, "suiteguard: FAIL: %v\n", err)
			code = 1
		} else {
			fmt.Fprintf(stdout, "suiteguard: floor set to %d in %s\n", sum.Passed, *floorPath)
		}
	}
	fmt.Fprintln(stdout, sum)
	return code
}

func loadAllow(path string) (suiteguard.AllowList, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("suiteguard: allow-file: %w", err)
	}
	defer f.Close()
	return suiteguard.ParseAllow(f, path)
}
