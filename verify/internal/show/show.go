// Package show formats values for verify's reports the way go-cmp does.
package show

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// Value formats v with go-cmp's reporter (type-qualified, for example
// `int(-9223372036854775808)` or `main.rec{A: 1, B: "y"}`). It falls back to
// %#v when go-cmp refuses the type (unexported fields).
func Value(v any) (s string) {
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("%#v", v)
		}
	}()
	if v == nil {
		return "nil"
	}
	d := cmp.Diff(nil, v)
	var lines []string
	for _, l := range strings.Split(d, "\n") {
		rest, ok := strings.CutPrefix(l, "+")
		if !ok {
			continue
		}
		// go-cmp randomly uses U+00A0 instead of spaces in its markers so
		// nobody relies on its output; trim every kind of space.
		lines = append(lines, strings.TrimFunc(rest, unicode.IsSpace))
	}
	if len(lines) == 0 {
		return fmt.Sprintf("%#v", v)
	}
	out := strings.Join(lines, " ")
	return strings.TrimSuffix(out, ",")
}

// Diff is cmp.Diff(a, b, opts...) that never panics: on a type go-cmp
// refuses it returns both values printed with %#v.
func Diff(a, b any, opts ...cmp.Option) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("- %#v\n+ %#v\n", a, b)
		}
	}()
	return cmp.Diff(a, b, opts...)
}

// Equal is cmp.Equal(a, b, opts...) that reports go-cmp's refusal as an error.
func Equal(a, b any, opts ...cmp.Option) (eq bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("go-cmp cannot compare %T: %v", a, r)
		}
	}()
	return cmp.Equal(a, b, opts...), nil
}
