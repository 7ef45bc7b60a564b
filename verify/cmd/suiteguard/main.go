// Command suiteguard keeps a test suite from reporting green when its checks
// did not run or could not fail — the second half of the Enterspeed incident.
//
// It reads `go test -json` on standard input, passes the readable output
// through, and exits non-zero when
//   - any test or package failed, or a package did not build;
//   - no test ran at all, or a package with test files ran none
//     (a -run pattern that matched nothing);
//   - a test was skipped while CI is set, unless the allow-file lists it
//     with a reason;
//   - a test's output shows a panic, including a failure logged after the
//     test had completed;
//   - a test started but never finished (killed, timed out, crashed);
//   - fewer tests passed than the floor recorded in a file.
//
// It ends with one line, `suiteguard: N passed, N failed, N skipped`.
//
// Usage:
//
//	set -o pipefail
//	go test -race -json ./... | go run ./verify/cmd/suiteguard -floor .ci/test-floor -allow .ci/skips-allowed
//
// Flags:
//
//	-allow FILE     skips allowed in CI: lines of "package test reason…"
//	-floor FILE     fewest passing tests accepted (one integer)
//	-write-floor    after a green run, record its passing count in the -floor file
//	-v              pass every output line through, as go test -v would
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// exit is a variable so tests can run main's logic without ending the process.
var exit = os.Exit

func main() {
	exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv("CI")))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, ciEnv string) int {
	fl := flag.NewFlagSet("suiteguard", flag.ContinueOnError)
	fl.SetOutput(stderr)
	allowPath := fl.String("allow", "", "file of skips allowed in CI (package test reason…)")
	floorPath := fl.String("floor", "", "file holding the fewest passing tests accepted")
	record := fl.Bool("write-floor", false, "after a green run, record its passing count in the -floor file")
	verbose := fl.Bool("v", false, "pass every output line through")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 || (*record && *floorPath == "") {
		fmt.Fprintln(stderr, "usage: go test -json ./... | suiteguard [-allow FILE] [-floor FILE [-write-floor]] [-v]")
		return 2
	}
	cfg := config{ci: ciEnv != "" && ciEnv != "false" && ciEnv != "0", verbose: *verbose}
	var err error
	if cfg.allow, err = loadAllow(*allowPath); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *floorPath != "" && !*record {
		if cfg.floor, err = readFloor(*floorPath); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}

	g := newGuard(cfg, stdout)
	if err := g.consume(stdin); err != nil {
		g.problem("%v", err)
	}
	problems := g.finish()
	for _, p := range problems {
		fmt.Fprintf(stdout, "suiteguard: FAIL: %s\n", p)
	}
	if len(problems) == 0 && *record {
		if err := writeFloor(*floorPath, g.passed); err != nil {
			problems = append(problems, err.Error())
			fmt.Fprintln(stdout, err)
		} else {
			fmt.Fprintf(stdout, "suiteguard: floor set to %d in %s\n", g.passed, *floorPath)
		}
	}
	fmt.Fprintf(stdout, "suiteguard: %d passed, %d failed, %d skipped\n", g.passed, g.failed, g.skipped)
	if len(problems) > 0 {
		return 1
	}
	return 0
}

func loadAllow(path string) (allowList, error) {
	if path == "" {
		return allowList{}, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return allowList{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("suiteguard: allow-file: %w", err)
	}
	defer f.Close()
	return parseAllow(f, path)
}
