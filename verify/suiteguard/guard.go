package suiteguard

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json) output, including the
// build events that `go test -json` interleaves since Go 1.24.
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string // build-output, build-fail
	FailedBuild string
}

// Options is what the guard is told beyond the stream itself. The zero
// value checks everything but skips, and prints output as go test would.
type Options struct {
	CI      bool      // skips fail unless Allow lists them
	Verbose bool      // pass every output line through, as go test -v would
	Allow   AllowList // skips and empty packages tolerated, with reasons
	Floor   int       // fewest passing tests accepted; 0 = no floor
}

// Summary is the verdict on one run.
type Summary struct {
	Passed, Failed, Skipped int
	// Absent counts the skips, among Skipped, of tests whose server was
	// absent: their output said "server absent: NAME", NAME being the
	// variable that points tests at one (internal/testenv prints it).
	Absent int
	// Problems lists every reason the run must not be reported green, sorted.
	Problems []string
}

// OK reports whether the run may be reported green.
func (s Summary) OK() bool { return len(s.Problems) == 0 }

// String returns the closing line, "suiteguard: N passed, N failed, N skipped",
// followed by " (N for absent servers)" when there were such skips.
func (s Summary) String() string {
	line := fmt.Sprintf("suiteguard: %d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
	if s.Absent > 0 {
		line += fmt.Sprintf(" (%d for absent servers)", s.Absent)
	}
	return line
}

// Check reads a `go test -json` stream from r to its end, writes the readable
// output to out (failing and skipped tests' output, package results; all of it
// with Verbose), and returns the verdict. It never stops early: every problem
// in the run is reported at once.
func Check(r io.Reader, out io.Writer, opts Options) Summary {
	g := newGuard(opts, out)
	if err := g.consume(r); err != nil {
		g.problem("%v", err)
	}
	return g.finish()
}

// guard reads a test2json stream, passes the readable output through, and
// collects every reason the run must not be reported green.
type guard struct {
	cfg Options
	out io.Writer

	passed, failed, skipped int
	problems                []string

	running  map[string]bool     // "pkg\x00Test" started, no verdict yet
	buffered map[string][]string // per-test output held back until its verdict
	pkgOpen  map[string]bool     // packages started without a verdict
	noTests  map[string]bool     // packages that said "no tests to run"
	ranTests map[string]bool     // packages where a test reached a verdict
	failedIn map[string]bool     // packages where a test failed
	packages int                 // packages that ran a test binary
	absent   absentSkips         // skips for a server that was not there
	absentCI []string            // of those, the ones CI does not allow
	garbage  int                 // lines that were not test2json events
}

func newGuard(cfg Options, out io.Writer) *guard {
	return &guard{
		cfg:      cfg,
		out:      out,
		running:  map[string]bool{},
		buffered: map[string][]string{},
		pkgOpen:  map[string]bool{},
		noTests:  map[string]bool{},
		ranTests: map[string]bool{},
		failedIn: map[string]bool{},
	}
}

// consume reads the whole stream. Lines are read without a length limit:
// a test may print a very long line, and losing it must not end the guard.
func (g *guard) consume(r io.Reader) error {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			g.line(line)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("suiteguard: reading test output: %w", err)
		}
	}
}

func (g *guard) line(line []byte) {
	var e event
	if line[0] != '{' || json.Unmarshal(line, &e) != nil || e.Action == "" {
		// go test prints some failures (e.g. a broken go.mod) as plain text.
		g.garbage++
		fmt.Fprint(g.out, string(line))
		return
	}
	g.event(e)
}

func (g *guard) event(e event) {
	key := e.Package + "\x00" + e.Test
	switch e.Action {
	case "build-output":
		fmt.Fprint(g.out, e.Output)
	case "build-fail":
		// The package's own "fail" event (with FailedBuild) follows and is counted there.
	case "start":
		g.pkgOpen[e.Package] = true
	case "run":
		g.running[key] = true
	case "output":
		g.output(e, key)
	case "pass", "fail", "skip":
		if e.Test == "" {
			g.packageVerdict(e)
			return
		}
		g.testVerdict(e, key)
	}
}

func (g *guard) output(e event, key string) {
	if strings.HasPrefix(e.Output, "panic: ") {
		// Includes "panic: Fail in goroutine after TestX has completed":
		// a failure the test's own verdict never showed.
		g.problem("%s: %s", where(e), strings.TrimSpace(e.Output))
	}
	if e.Test == "" {
		if strings.Contains(e.Output, "testing: warning: no tests to run") {
			g.noTests[e.Package] = true
		}
		if !g.cfg.Verbose && e.Output == "PASS\n" {
			return
		}
		fmt.Fprint(g.out, e.Output)
		return
	}
	g.absent.see(key, e.Output)
	if g.cfg.Verbose {
		fmt.Fprint(g.out, e.Output)
		return
	}
	g.buffered[key] = append(g.buffered[key], e.Output)
}

func (g *guard) testVerdict(e event, key string) {
	delete(g.running, key)
	lines := g.buffered[key]
	delete(g.buffered, key)
	g.ranTests[e.Package] = true
	absent := g.absent.verdict(key, where(e), e.Action == "skip")
	switch e.Action {
	case "pass":
		g.passed++
		return
	case "fail":
		g.failed++
		g.failedIn[e.Package] = true
	case "skip":
		g.skipped++
		if g.cfg.CI {
			if reason, ok := g.cfg.Allow.skip(e.Package, e.Test); ok {
				lines = append(lines, fmt.Sprintf("    suiteguard: skip allowed: %s\n", reason))
			} else if absent {
				g.absentCI = append(g.absentCI, where(e))
			} else {
				g.problem("%s was skipped in CI (allow it in the allow-file with a reason, or make CI provide what it needs)", where(e))
			}
		}
	}
	for _, l := range lines {
		fmt.Fprint(g.out, l)
	}
}

func (g *guard) packageVerdict(e event) {
	delete(g.pkgOpen, e.Package)
	if e.Action == "skip" { // "[no test files]"
		return
	}
	g.packages++
	if e.Action == "fail" {
		if e.FailedBuild != "" {
			g.problem("package %s did not build", e.Package)
			g.failed++
		} else if !g.failedIn[e.Package] {
			// No test failed, yet the binary did: a timeout, a crash, TestMain, or a
			// goroutine failing after its test completed.
			g.problem("package %s failed outside any test's verdict", e.Package)
			g.failed++
		}
		return
	}
	if !g.ranTests[e.Package] && !g.cfg.Allow.empty(e.Package) {
		g.problem("package %s has test files but ran no test (a -run pattern that matched nothing?)", e.Package)
	}
}

// finish closes the run and returns the verdict.
func (g *guard) finish() Summary {
	for key := range g.running {
		pkg, test, _ := strings.Cut(key, "\x00")
		g.problem("%s started but never finished (killed, timed out or crashed)", where(event{Package: pkg, Test: test}))
		for _, l := range g.buffered[key] {
			fmt.Fprint(g.out, l)
		}
	}
	for pkg := range g.pkgOpen {
		g.problem("package %s started but the stream ended before its result", pkg)
	}
	total := g.passed + g.failed + g.skipped
	if total == 0 {
		g.problem("no test ran (%d packages, %d lines that were not go test -json)", g.packages, g.garbage)
	} else if g.passed == 0 && g.failed == 0 {
		g.problem("no test passed: all %d were skipped", g.skipped)
	}
	if len(g.absentCI) > 0 {
		g.problem("%s", g.absent.inCI(g.absentCI))
	}
	if g.passed < g.cfg.Floor { // a zero or negative Floor is no floor
		g.problem("%s", g.absent.belowFloor(g.passed, g.cfg.Floor))
	}
	if g.failed > 0 {
		g.problem("%d tests or packages failed", g.failed)
	}
	sort.Strings(g.problems)
	return Summary{Passed: g.passed, Failed: g.failed, Skipped: g.skipped, Absent: len(g.absent.tests), Problems: g.problems}
}

func (g *guard) problem(format string, args ...any) {
	g.problems = append(g.problems, fmt.Sprintf(format, args...))
}

func where(e event) string {
	if e.Test == "" {
		return e.Package
	}
	return e.Package + "." + e.Test
}
