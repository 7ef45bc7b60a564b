// Package verify checks comparison logic with checks that cannot pass
// vacuously: comparators, equalities, old-versus-new changes and thresholds.
//
// Go never reports a broken comparator: slices.SortFunc only requires a
// strict weak ordering and sorts garbage without a word. Ordering finds the
// broken law and the smallest values that break it:
//
//	func TestByName(t *testing.T) {
//		verify.OrderingT(t, byName, genUser())
//		if err := verify.Groups(byName, [][]User{{ada, ada2}, {bob}}); err != nil {
//			t.Error(err)
//		}
//	}
//
// Every checker returns an error (a struct with the witness, inspectable with
// errors.As, wrapping a sentinel such as [ErrViolation] or [ErrVacuous]) and,
// for the generated ones, a [Report] counting outcomes; their …T wrappers
// fail a test instead. verify does not import package testing itself.
//
// # Checkers
//
//   - [Ordering]: strict weak ordering laws of a cmp or less function over
//     the edge values and random batches with forced ties, every pair and
//     triple checked.
//   - [Equivalence], [Groups]: equality laws, consistency with an order
//     and a key, and hand-written groups (of an eq or a cmp).
//   - [Same], [SamePairs]: old and new functions agree except where
//     [Intended]; SamePairs forces equal and neighbouring halves.
//   - [Threshold], [ThresholdFunc]: a predicate matches its boundary at
//     the boundary, its neighbours (one step, one ulp, one nanosecond),
//     values at growing distances (up to 8 steps, then about 2^k steps)
//     and the extremes.
//   - [Sensitive]: the test catches every mutant of the comparator, the
//     same way whatever the seed.
//
// # Edge values
//
// Before any random batch, the generated checks check the edge values
// together: those given with [Edges] first, then the default pools for the
// type, every pair and every triple of up to 96 values. This phase does not
// depend on the seed, so a bug it finds is found on every run. For a struct
// the defaults reach its fields: a value drawn from the generator, with each
// exported field set in turn to its type's edge values, and with equal
// values in every two fields of one type. [NoDefaultEdges] removes pools by
// name:
//
//	pool           type       values                                     bugs
//	case           string     s S ſ, k K K(Kelvin), ß ss SS ẞ, σ ς Σ,   lowercase order vs case-fold equality
//	                          i I İ ı, a A b B
//	normalization  string     é/e+◌́, Å/A+◌̊/Å(Angstrom), ñ/n+◌̃            NFC vs NFD spellings of one text
//	numeric        string     1 01 +1 1.0 1e0 1.1 1.10 1.9 1.09 10 2 0 -0 numerically equal spellings, versions
//	radix          string     010 08 0x1F 0X1f 0x10 0o17 0b11 1_000 1e3  Atoi vs ParseInt(s, 0, 64): octal, hex, _
//	digits         string     ٣ ۳ ３ 3 ٣٣                                  unicode.IsDigit vs '0'..'9'
//	version        string     v1.2 V1.2 1.2 v1.2.0 1.2.3 1-2 1_2 1/2 1:2 a "v" prefix or separator normalised once
//	bigint         string     2^63±1, 2^64±1, 20 and 21 digits as text   digit runs overflowing int64 (natural sort)
//	space          string     " a" "a " " 1" "1 " " "                    trimming in one place only
//	empty          string     ""                                         empty input
//	utf8           string     "\xff" "a\xc3" "\xed\xa0\x80"              invalid UTF-8
//	extremes       integers   0 ±1 2, min, min+1, max, max-1             a-b overflow
//	nan            floats     NaN                                        < and == on NaN
//	zero           floats     0, -0                                      signed zero
//	inf            floats     +Inf, -Inf                                 infinities
//	ulp            floats     one ulp around 0, 1, 1e15, ±MaxFloat       > vs >=, rounding
//	epsilon        floats     1, 1+0.6ε, 1+1.2ε for ε = 1e-12 … 0.5      |a-b| < ε equality (not transitive)
//	zones          time.Time  one instant in UTC, UTC+1, UTC-5, ±1ns      == and wall-clock fields
//	monotonic      time.Time  time.Now() with and without monotonic      == on instants
//	far            time.Time  1600-01-01, 2400-01-01                     Sub and UnixNano overflow
//	zero time      time.Time  time.Time{}                                unset times
//	transitions    time.Time  the 2026 DST changes of New York, Berlin:   wall-clock logic: 01:30 EDT vs
//	                          ±30min, -1ns, at, in the zone, UTC and the  01:30 EST, walls an hour off
//	                          other zone (one *Location per zone)         the instants' order
//	nil            slices,    nil and empty (slice, map); nil and &zero   nil vs empty (rapid never draws nil)
//	               maps, ptrs (pointer)
//	fields         structs    the pools above, in each exported field    == on a struct holding a time
//
// # Neighbours
//
// Independent draws almost never give two values that share everything but
// one part (two versions with one core and related prerelease tags, two
// file names that differ in one number). So each random batch of
// [Ordering] and [Equivalence] also holds 6 to 8 neighbours of one of its
// fresh draws, each one edit away from it or from the neighbour before,
// and the laws are checked on every pair and triple of them too. The
// edits, by type:
//
//	string     a digit run ±1, ×10, ÷10, another number or 20 digits longer (the
//	           last run half of the time); a suffix (a .0 0 -1 .1 z -a +1) or a
//	           prefix (v a V 0 x . - _) added or removed; the first separator
//	           (. _ - / : space) swapped; case; whitespace; a leading zero; a sign
//	integers   ±1
//	floats     one ulp either way
//	time.Time  another zone, ±1ns, without its monotonic reading
//	structs    one exported field changed as above
//
// NoDefaultEdges("near") removes them; a batch with them costs up to
// (8+8)³/8³ = 8 times the triples of one without, in practice about 2.5 times
// the time.
//
// # Generation, seeds and coverage
//
// Values come from a pgregory.net/rapid generator, and rapid shrinks the
// failing batch, so witnesses are minimal. Checks run rapid outside any
// *testing.T: rapid's fail files are not written and its output is not
// printed. Because rapid reads its flags through package testing, the
// generated checks must run in a test binary (or after testing.Init and
// flag.Parse).
//
// Every failure names the seed of its random batches and a rerun:
// [Seed](n) in the call, or -rapid.seed=n on the go test command line
// (which seeds every check that has no Seed option). Checks of one process
// run one at a time, because each sets rapid's seed flag for its run:
// rapid v1.3.0 takes a seed from nowhere else. A test of your own that
// calls rapid.Check in parallel (t.Parallel) with a check of this package
// reads that flag while the check writes it, which the race detector
// reports. Keep such tests sequential, or in a test binary of their own.
// With -rapid.seed=n given, a check that needs one rapid.Check (the
// default budget) leaves the flag untouched.
//
// A check whose generator never produced the outcomes it needs (two unequal
// values, say) fails with a [*CoverageError] listing the counts, rather than
// passing having tested nothing; [Require] asks for more and [AllowVacuous]
// lets it pass.
package verify
