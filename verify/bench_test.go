package verify_test

import (
	"cmp"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/deploysafe/deploysafe/verify"
	"github.com/deploysafe/deploysafe/verify/internal/engine"
)

// benchCase is a comparator checked both by verify and by the naive
// baseline, as a cmp function over any so the table stays flat.
type benchCase struct {
	name   string
	verify func() error
	naive  func(maxShrink int) bool // true when the naive property found the bug
}

func ord[T any](c func(a, b T) int, gen *rapid.Generator[T], opts ...verify.Option) func() error {
	return func() error { _, err := verify.Ordering(c, gen, opts...); return err }
}

func fromLess[T any](less func(a, b T) bool) func(a, b T) int {
	return func(a, b T) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	}
}

// naiveSeed seeds successive naive runs differently.
var naiveSeed atomic.Uint64

// naiveOrdering is the baseline: plain rapid over independently drawn
// values (a pair plus a third for transitivity), no ties forced, no edge
// values, no batches, same budget (100 cases) and the same shrinking.
func naiveOrdering[T any](c func(a, b T) int, gen *rapid.Generator[T]) func(int) bool {
	return func(maxShrink int) bool {
		_, failed, _ := engine.Run(naiveSeed.Add(1), 100, maxShrink, func(t *rapid.T, _ *engine.State) bool {
			a, b, d := gen.Draw(t, "a"), gen.Draw(t, "b"), gen.Draw(t, "c")
			s := func(x, y T) int { return cmp.Compare(c(x, y), 0) }
			switch {
			case s(a, a) != 0, s(a, b) != -s(b, a):
				return true
			case s(a, b) < 0 && s(b, d) < 0 && s(a, d) >= 0:
				return true
			case s(a, b) == 0 && s(b, d) == 0 && s(a, d) != 0:
				return true
			}
			return false
		})
		return failed
	}
}

func benchCases() []benchCase {
	return []benchCase{
		{"LessOrEqual", func() error { _, err := verify.Ordering(lessOrEqual, rapid.Int()); return err }, naiveOrdering(fromLess(lessOrEqual), rapid.Int())},
		{"SubtractionOverflow", ord(subtraction, rapid.Int()), naiveOrdering(subtraction, rapid.Int())},
		{"NaN", ord(floatLess, rapid.Float64()), naiveOrdering(floatLess, rapid.Float64())},
		{"BrokenTieBreak", func() error { _, err := verify.Ordering(brokenTieBreak, genPerson()); return err }, naiveOrdering(fromLess(brokenTieBreak), genPerson())},
		{"RockPaperScissors", ord(rockPaperScissors, genRPS(), verify.NoDefaultEdges()), naiveOrdering(rockPaperScissors, genRPS())},
		{"TimeEq", ord(timeEq, genInstant()), naiveOrdering(timeEq, genInstant())},
		{"CaseFold", ord(foldCmp, genWord()), naiveOrdering(foldCmp, genWord())},
		// The same two bugs with wide-domain generators, where ties are rare.
		{"TimeEqWide", ord(timeEq, genWideInstant()), naiveOrdering(timeEq, genWideInstant())},
		{"CaseFoldWide", ord(foldCmp, rapid.String()), naiveOrdering(foldCmp, rapid.String())},
	}
}

// genWideInstant draws any second of 1970-2033 in one of three zones.
func genWideInstant() *rapid.Generator[time.Time] {
	zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("EST", -5*3600)}
	return rapid.Custom(func(t *rapid.T) time.Time {
		sec := rapid.Int64Range(0, 2_000_000_000).Draw(t, "sec")
		return time.Unix(sec, 0).In(zones[rapid.IntRange(0, 2).Draw(t, "zone")])
	})
}

// BenchmarkOrderingDetect measures, per broken comparator, side by side:
//
//   - verify: one default-budget Ordering run with shrinking off, so ns/op is
//     the time to first detection (or to the end of a fruitless search);
//   - naive: the same for plain rapid over random values;
//   - verify+shrink: the default run, ns/op the time to the minimal witness.
//
// found/op is the share of runs that found the bug; detections/s divides it
// by the time per run: the detection rate at equal time, whose ratio
// verify/naive BENCHMARKS.md reports.
func BenchmarkOrderingDetect(b *testing.B) {
	for _, bc := range benchCases() {
		b.Run(bc.name+"/verify", func(b *testing.B) {
			old := verify.SetMaxShrink(0)
			defer verify.SetMaxShrink(old)
			found, cpu0 := 0, cpuTime()
			for i := 0; i < b.N; i++ {
				if bc.verify() != nil {
					found++
				}
			}
			report(b, found, cpu0)
		})
		b.Run(bc.name+"/naive", func(b *testing.B) {
			found, cpu0 := 0, cpuTime()
			for i := 0; i < b.N; i++ {
				if bc.naive(0) {
					found++
				}
			}
			report(b, found, cpu0)
		})
		b.Run(bc.name+"/verify+shrink", func(b *testing.B) {
			found, cpu0 := 0, cpuTime()
			for i := 0; i < b.N; i++ {
				if bc.verify() != nil {
					found++
				}
			}
			report(b, found, cpu0)
		})
	}
}

// report adds found/op, detections/s (per second of wall time) and
// cpu-ns/op, the CPU time per run, which the load of other processes on the
// machine does not inflate.
func report(b *testing.B, found int, cpu0 time.Duration) {
	el := b.Elapsed().Seconds()
	b.ReportMetric(float64(found)/float64(b.N), "found/op")
	if el > 0 {
		b.ReportMetric(float64(found)/el, "detections/s")
	}
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkOrderingCorrect measures throughput on correct comparators,
// verify and naive side by side: cases/s (a case is a batch for verify, a
// triple for naive) and cmp-calls/s.
func BenchmarkOrderingCorrect(b *testing.B) {
	type counted struct {
		name  string
		run   func(c func(a, b int) int) (cases int, err error)
		naive bool
	}
	for _, tc := range []counted{
		{"verify/cmp.Compare", func(c func(a, b int) int) (int, error) {
			rep, err := verify.Ordering(c, rapid.Int())
			return rep.Batches, err
		}, false},
		{"naive/cmp.Compare", func(c func(a, b int) int) (int, error) {
			if naiveOrdering(c, rapid.Int())(0) {
				return 0, errors.New("false positive")
			}
			return 100, nil
		}, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			calls, cases := 0, 0
			c := func(x, y int) int { calls++; return cmp.Compare(x, y) }
			start, cpu0 := time.Now(), cpuTime()
			for i := 0; i < b.N; i++ {
				n, err := tc.run(c)
				if err != nil {
					b.Fatal(err)
				}
				cases += n
			}
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(cases)/el, "cases/s")
			b.ReportMetric(float64(calls)/el, "cmp-calls/s")
			if cpu := (cpuTime() - cpu0).Seconds(); cpu > 0 {
				b.ReportMetric(float64(cases)/cpu, "cases/cpu-s")
			}
		})
	}
	b.Run("verify/strings.Compare", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := verify.Ordering(strings.Compare, genWord()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify/multi-field", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := verify.Ordering(correctPerson, genPerson()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
