package suiteguard

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// AllowList is the allow-file: skips CI may tolerate, each with a reason, so
// that every exception is written down and reviewed like code.
//
//	# package                                   test (or -)   reason
//	github.com/deploysafe/deploysafe/snapshot   TestHuge      needs 40 GB of disk; run nightly
//	github.com/deploysafe/deploysafe/internal/x -             only benchmarks
//
// A test name "-" allows a package that has test files to run no test.
type AllowList map[string]string // "pkg test" → reason

// ParseAllow reads an allow-file; name is used in error messages. Every line
// needs a reason: an exception nobody can explain is not an exception.
func ParseAllow(r io.Reader, name string) (AllowList, error) {
	a := AllowList{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("suiteguard: %s:%d: want \"package test reason…\", got %q", name, n, line)
		}
		a[f[0]+" "+f[1]] = strings.Join(f[2:], " ")
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("suiteguard: reading %s: %w", name, err)
	}
	return a, nil
}

// skip reports whether test in pkg may be skipped, and why. A subtest is
// allowed when its top-level test is.
func (a AllowList) skip(pkg, test string) (string, bool) {
	for t := test; ; {
		if reason, ok := a[pkg+" "+t]; ok {
			return reason, true
		}
		i := strings.LastIndexByte(t, '/')
		if i < 0 {
			return "", false
		}
		t = t[:i]
	}
}

// empty reports whether pkg may run no test.
func (a AllowList) empty(pkg string) bool {
	_, ok := a[pkg+" -"]
	return ok
}
