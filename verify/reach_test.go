package verify_test

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
)

var printReach = flag.Bool("verify.reach", false, "print the catch rates of the reach shapes, at the defaults and with their pool removed")

// reachCase is a bug shape published (and later fixed) in real Go modules,
// with the check a user would write, and the default pool that reaches it.
type reachCase struct {
	pool, shape string
	off         []string // the pools that reach it: pool, and others that do too
	run         func(opts ...verify.Option) (verify.Report, error)
}

// atoiOld and parseIntNew: a refactor from strconv.Atoi to
// strconv.ParseInt(s, 0, 64), which reads "010" as octal, "0x1F" as hex and
// accepts "1_000".
func atoiOld(s string) (int64, bool) {
	n, err := strconv.Atoi(s)
	return int64(n), err == nil
}

func parseIntNew(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 0, 64)
	return n, err == nil
}

// naturalWrap is a natural sort that accumulates each digit run into an
// int64 (wrapping past 19 digits) and returns int(a-b): both overflow on
// long digit runs.
func naturalWrap(a, b string) int {
	for a != "" && b != "" {
		ra, rb := runLen(a), runLen(b)
		if ra > 0 && rb > 0 {
			var na, nb int64
			for _, c := range a[:ra] {
				na = na*10 + int64(c-'0')
			}
			for _, c := range b[:rb] {
				nb = nb*10 + int64(c-'0')
			}
			if na != nb {
				return int(na - nb)
			}
			a, b = a[ra:], b[rb:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func runLen(s string) int {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n
}

// vTies treats "v1.2" and "1.2" as one version but orders by bytes.
func vTies(a, b string) int {
	if strings.TrimPrefix(strings.TrimPrefix(a, "v"), "V") == strings.TrimPrefix(strings.TrimPrefix(b, "v"), "V") {
		return 0
	}
	return strings.Compare(a, b)
}

// A count parsed digit by digit after a validation that moved from ASCII
// to unicode.IsDigit: "٣" now passes and reads as 1587.
func countASCII(s string) (int, bool) {
	return countDigits(s, func(r rune) bool { return '0' <= r && r <= '9' })
}

func countUnicode(s string) (int, bool) { return countDigits(s, unicode.IsDigit) }

func countDigits(s string, isDigit func(rune) bool) (int, bool) {
	n := 0
	for _, r := range s {
		if !isDigit(r) {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, s != ""
}

// request is a user's struct whose slice and map fields are copied before
// encoding; the refactor to slices.Clone and maps.Clone keeps nil as nil,
// so the JSON says null where it said [] and {}.
type request struct {
	Tags   []string
	Labels map[string]string
	Owner  *string
}

func encodeOld(r request) string {
	r.Tags = append([]string{}, r.Tags...)
	l := make(map[string]string, len(r.Labels))
	for k, v := range r.Labels {
		l[k] = v
	}
	r.Labels = l
	b, _ := json.Marshal(r)
	return string(b)
}

func encodeNew(r request) string {
	r.Tags, r.Labels = slices.Clone(r.Tags), maps.Clone(r.Labels)
	b, _ := json.Marshal(r)
	return string(b)
}

// ownerOld and ownerNew: a refactor that drops the nil check of a pointer.
func ownerOld(r *request) string {
	if r == nil || r.Owner == nil {
		return ""
	}
	return *r.Owner
}

func ownerNew(r *request) string {
	if r.Owner == nil {
		return ""
	}
	return *r.Owner
}

// genRequest draws requests the way a user writes it first: rapid draws
// slices and maps, never nil ones, and the pointer always set.
func genRequest() *rapid.Generator[request] {
	return rapid.Custom(func(t *rapid.T) request {
		o := rapid.String().Draw(t, "owner")
		return request{
			Tags:   rapid.SliceOf(rapid.String()).Draw(t, "tags"),
			Labels: rapid.MapOf(rapid.String(), rapid.String()).Draw(t, "labels"),
			Owner:  &o,
		}
	})
}

func reachCases() []reachCase {
	str := rapid.String()
	return []reachCase{
		{"radix", "Atoi became ParseInt(s, 0, 64)", []string{"radix", "version"}, func(o ...verify.Option) (verify.Report, error) {
			return verify.Same(func(s string) [2]any { n, ok := atoiOld(s); return [2]any{n, ok} },
				func(s string) [2]any { n, ok := parseIntNew(s); return [2]any{n, ok} }, str, o...)
		}},
		{"bigint", "natural sort, int64 digit runs and int(a-b)", nil, func(o ...verify.Option) (verify.Report, error) {
			return verify.Ordering(naturalWrap, str, o...)
		}},
		{"version", `"v1.2" ties "1.2", else bytes`, []string{"version", "near"}, func(o ...verify.Option) (verify.Report, error) {
			return verify.Ordering(vTies, str, o...)
		}},
		{"digits", "ASCII digit check became unicode.IsDigit", nil, func(o ...verify.Option) (verify.Report, error) {
			return verify.Same(func(s string) [2]any { n, ok := countASCII(s); return [2]any{n, ok} },
				func(s string) [2]any { n, ok := countUnicode(s); return [2]any{n, ok} }, str, o...)
		}},
		{"nil", "copy became slices.Clone (nil slice)", nil, func(o ...verify.Option) (verify.Report, error) {
			return verify.Same(func(s []string) string { b, _ := json.Marshal(append([]string{}, s...)); return string(b) },
				func(s []string) string { b, _ := json.Marshal(slices.Clone(s)); return string(b) }, rapid.SliceOf(str), o...)
		}},
		{"nil", "struct fields: copies became slices.Clone, maps.Clone", nil, func(o ...verify.Option) (verify.Report, error) {
			return verify.Same(encodeOld, encodeNew, genRequest(), o...)
		}},
		{"transitions", "same-zone fast path compares local wall clocks", nil, func(o ...verify.Option) (verify.Report, error) {
			return verify.Ordering(byLocalWall, genWideTime(), o...)
		}},
		{"nil", "nil check of a pointer dropped", nil, func(o ...verify.Option) (verify.Report, error) {
			g := rapid.Custom(func(t *rapid.T) *request { r := genRequest().Draw(t, "r"); return &r })
			return verify.Same(ownerOld, ownerNew, g, o...)
		}},
	}
}

// Each shape is found among the edge values at the defaults (so on every
// seed), and not at all once its pool is removed by name.
func TestReachShapesCaughtByTheirPool(t *testing.T) {
	for _, c := range reachCases() {
		if c.off == nil {
			c.off = []string{c.pool}
		}
		t.Run(c.pool+"/"+c.shape, func(t *testing.T) {
			rep, err := c.run()
			if err == nil || rep.Batches != 0 {
				t.Errorf("not found among the edges: %v", err)
			}
			for seed := uint64(1); seed <= 3; seed++ {
				if _, err := c.run(verify.NoDefaultEdges(c.off...), verify.Seed(seed)); err != nil {
					t.Errorf("seed %d: caught with pools %q removed: %v", seed, c.off, err)
				}
			}
		})
	}
}

// TestReachRates prints, with -verify.reach, the catch rate of each shape
// over 20 seeds at the defaults and with its pool removed.
func TestReachRates(t *testing.T) {
	if !*printReach {
		return
	}
	const n = 20
	rate := func(c reachCase, o ...verify.Option) int {
		k := 0
		for seed := uint64(1); seed <= n; seed++ {
			if _, err := c.run(append(o, verify.Seed(seed))...); err != nil {
				k++
			}
		}
		return k
	}
	for _, c := range reachCases() {
		if c.off == nil {
			c.off = []string{c.pool}
		}
		fmt.Printf("| %s | %s | %d/%d | %d/%d |\n", c.pool, c.shape, rate(c), n, rate(c, verify.NoDefaultEdges(c.off...)), n)
	}
}

// byLocalWall orders instants, with a "fast path" for two times in one
// Location that compares their local wall clocks as text: right in a zone
// without DST, wrong in a fall-back overlap, where 01:30 EDT and 01:30 EST
// (an hour apart) read the same and 01:45 EDT reads after 01:15 EST.
func byLocalWall(a, b time.Time) int {
	if a.Location() == b.Location() {
		const layout = "2006-01-02 15:04:05.000000000"
		return strings.Compare(a.Format(layout), b.Format(layout))
	}
	return a.Compare(b)
}

// byLocalWallRight keeps the fast path but compares the instants there.
func byLocalWallRight(a, b time.Time) int {
	if a.Location() == b.Location() {
		return cmp.Or(cmp.Compare(a.Unix(), b.Unix()), cmp.Compare(a.Nanosecond(), b.Nanosecond()))
	}
	return a.Compare(b)
}

// naturalRight is naturalWrap fixed: digit runs compare by value as text
// (length without leading zeros, then bytes), then by spelling.
func naturalRight(a, b string) int {
	a0, b0 := a, b
	for a != "" && b != "" {
		ra, rb := runLen(a), runLen(b)
		if ra > 0 && rb > 0 {
			da, db := strings.TrimLeft(a[:ra], "0"), strings.TrimLeft(b[:rb], "0")
			if c := cmp.Or(cmp.Compare(len(da), len(db)), strings.Compare(da, db)); c != 0 {
				return c
			}
			a, b = a[ra:], b[rb:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a0, b0))
}

// reachRows are the reach shapes, the related-prerelease bug, the
// threshold far from its boundary and the
// Location refactor as rows of the bug-class table, with correct
// counterparts.
func reachRows() []bugCase {
	const reach, near, loc = "published shapes: default pools", "published shapes: neighbours", "published shapes: Same and Location"
	var rows []bugCase
	for _, c := range reachCases() {
		rows = append(rows, bugCase{reach + " (" + c.pool + ")", c.shape, "plain generator", false,
			func() (verify.Report, error) { return c.run() }, false})
	}
	str := rapid.String()
	return append(rows,
		bugCase{reach + " (radix)", "correct: Atoi became ParseInt(s, 10, 64)", "rapid.String()", true, func() (verify.Report, error) {
			return verify.Same(func(s string) [2]any { n, ok := atoiOld(s); return [2]any{n, ok} }, func(s string) [2]any {
				n, err := strconv.ParseInt(s, 10, 64)
				return [2]any{n, err == nil}
			}, str)
		}, false},
		ordCase(reach+" (bigint)", "correct: natural sort on digit text", "rapid.String()", true, naturalRight, str),
		bugCase{reach + " (nil)", "correct: slices.Clone keeping [] for nil", "rapid.SliceOf(rapid.String())", true, func() (verify.Report, error) {
			return verify.Same(func(s []string) string { b, _ := json.Marshal(append([]string{}, s...)); return string(b) },
				func(s []string) string {
					c := slices.Clone(s)
					if c == nil {
						c = []string{}
					}
					b, _ := json.Marshal(c)
					return string(b)
				}, rapid.SliceOf(str))
		}, false},
		ordCase(reach+" (transitions)", "correct: same-zone fast path compares instants", "any instant, years 1-9999", true, byLocalWallRight, genWideTime()),
		thresholdCase("ThresholdFunc: last two digits only, wrong 50 steps away", false, func(n int) bool { return n%100 >= 50 }),
		thresholdCase("correct: n >= 150", true, func(n int) bool { return n >= 150 }),
		ordCase(near, "semver: mixed prerelease identifiers as strings", "core 0-20, alpha/beta/rc.N", false, semverMixed, genSemver()),
		ordCase(near, "correct: semver, numbers before words", "core 0-20, alpha/beta/rc.N", true, semverRight, genSemver()),
		bugCase{loc, "same instant returned in another Location", "rapid.Int64Range", false, func() (verify.Report, error) {
			return verify.Same(func(s int64) time.Time { return time.Unix(s, 0).UTC() },
				func(s int64) time.Time { return time.Unix(s, 0).In(time.FixedZone("CET", 3600)) }, rapid.Int64Range(0, 1<<31))
		}, false},
		bugCase{loc, "correct: UTC() became In(time.UTC)", "rapid.Int64Range", true, func() (verify.Report, error) {
			return verify.Same(func(s int64) time.Time { return time.Unix(s, 0).UTC() },
				func(s int64) time.Time { return time.Unix(s, 0).In(time.UTC) }, rapid.Int64Range(0, 1<<31))
		}, false},
	)
}

// thresholdCase is a row of ThresholdFunc at 150 with steps of ±1. Its
// Report holds only the time the whole check took (ThresholdFunc shrinks
// nothing): the detection column.
func thresholdCase(shape string, correct bool, pred func(int) bool) bugCase {
	return bugCase{"threshold far from its boundary", shape, "prev, next: ±1", correct, func() (verify.Report, error) {
		start := time.Now()
		err := verify.ThresholdFunc(pred, 150, verify.AtLeast, cmp.Compare[int], func(n int) int { return n - 1 }, func(n int) int { return n + 1 })
		return verify.Report{Search: time.Since(start)}, err
	}, false}
}
