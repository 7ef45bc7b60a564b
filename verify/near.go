package verify

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The string edits of the neighbours: near(v, k) applies edit k%len and
// takes its variant from k/len, so a draw of k picks both. A digit run
// and a suffix, the parts structured strings (versions, file names, IDs)
// differ in, come up most often.
var stringEdits = []func(s string, p int) string{
	editDigits, editSuffix, editDigits, editPrefix, editDigits, editSeparator,
	editDigits, editSuffix, editCase, editSpace, editLeadingZero, editSign,
}

// nearString returns s changed by one edit: case, whitespace, a prefix or
// suffix, a separator, one digit run (±1, ×10, ÷10, another number, a long
// run), a leading zero or a sign. It returns s itself when the edit does
// not apply.
func nearString(s string, k int) string {
	return stringEdits[k%len(stringEdits)](s, k/len(stringEdits))
}

func editCase(s string, p int) string {
	switch p % 3 {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return strings.ToLower(s)
	}
	r, n := utf8.DecodeRuneInString(s)
	if unicode.IsUpper(r) {
		return string(unicode.ToLower(r)) + s[n:]
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func editSpace(s string, p int) string {
	return [...]string{s + " ", " " + s, strings.TrimSpace(s), s + "\t"}[p%4]
}

var affixes = []string{"v", "a", "V", "0", "x", ".", "-", "_"}

func editPrefix(s string, p int) string {
	a := affixes[p%len(affixes)]
	if t, ok := strings.CutPrefix(s, a); ok {
		return t
	}
	return a + s
}

func editSuffix(s string, p int) string {
	a := [...]string{"a", ".0", "0", "-1", ".1", "z", "-a", "+1"}[p%8]
	if t, ok := strings.CutSuffix(s, a); ok {
		return t
	}
	return s + a
}

func editSeparator(s string, p int) string {
	seps := "._-/: "
	i := strings.IndexAny(s, seps)
	if i < 0 {
		return s
	}
	return s[:i] + string(seps[(strings.IndexByte(seps, s[i])+1+p%(len(seps)-1))%len(seps)]) + s[i+1:]
}

// digitRuns returns the [start, end) of each run of ASCII digits of s.
func digitRuns(s string) [][2]int {
	var runs [][2]int
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	return runs
}

// editDigits changes one digit run, half the time the last one (the
// prerelease number, the patch level, the file's index).
func editDigits(s string, p int) string {
	runs := digitRuns(s)
	if len(runs) == 0 {
		return s
	}
	const variants = 7
	v, p := p%variants, p/variants
	r := runs[len(runs)-1]
	if p%2 == 1 {
		r = runs[(p/2)%len(runs)]
	}
	d := s[r[0]:r[1]]
	switch v {
	case 0:
		d = incDigits(d)
	case 1:
		d = decDigits(d)
	case 2:
		d += "0"
	case 3:
		if len(d) > 1 {
			d = d[:len(d)-1]
		}
	case 4:
		d = strconv.Itoa(p / 2 % 21)
	case 5:
		d = strconv.Itoa(p / 2 % 1001)
	default:
		d = strings.Repeat("9", 20) + d
	}
	return s[:r[0]] + d + s[r[1]:]
}

// incDigits adds one to a decimal digit run of any length.
func incDigits(d string) string {
	b := []byte(d)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

// decDigits subtracts one, or returns d for zero.
func decDigits(d string) string {
	if strings.Trim(d, "0") == "" {
		return d
	}
	b := []byte(d)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] > '0' {
			b[i]--
			break
		}
		b[i] = '9'
	}
	if len(b) > 1 && b[0] == '0' && d[0] != '0' {
		b = b[1:]
	}
	return string(b)
}

func editLeadingZero(s string, p int) string {
	runs := digitRuns(s)
	if len(runs) == 0 {
		return "0" + s
	}
	r := runs[p%len(runs)]
	if s[r[0]] == '0' && r[1]-r[0] > 1 {
		return s[:r[0]] + s[r[0]+1:]
	}
	return s[:r[0]] + "0" + s[r[0]:]
}

func editSign(s string, p int) string {
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "+"):
		return s[1:]
	case p%2 == 0:
		return "-" + s
	}
	return "+" + s
}
