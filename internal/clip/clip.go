// Package clip bounds how much of an input (an ID, a name, a path) an error
// message quotes, so that a 10,000-character ID gives a short error.
//
//	fmt.Errorf("reaper: Restore %s: %w", clip.String(id), ErrNotFound)
package clip

import "strconv"

// Runes is how many runes of an input String keeps.
const Runes = 64

// String returns s if it has at most Runes runes (an invalid byte counts
// as one), else its first Runes runes followed by "…(N bytes)", N being
// the length of s.
func String(s string) string {
	if len(s) <= Runes {
		return s
	}
	n := 0
	for i := range s {
		if n == Runes {
			return s[:i] + "…(" + strconv.Itoa(len(s)) + " bytes)"
		}
		n++
	}
	return s
}
