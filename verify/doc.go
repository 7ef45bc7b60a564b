// Package verify checks comparison logic with checks that cannot pass
// vacuously: comparators, equalities, old-versus-new changes and thresholds.
//
// Go never reports a broken comparator: slices.SortFunc only requires a
// strict weak ordering and sorts garbage without a word. Ordering finds the
// broken law and the smallest values that break it:
//
//	func TestByName(t *testing.T) {
//		verify.OrderingT(t, byName, genUser())
//		verify.OrderedGroupsT(t, byName, [][]User{{ada, ada2}, {bob}})
//	}
//
// Every checker returns an error (a struct with the witness, inspectable with
// errors.As, wrapping a sentinel such as [ErrViolation] or [ErrVacuous]) and,
// for the generated ones, a [Report] counting outcomes; the …T wrappers fail a
// test instead. verify does not import package testing itself (rapid does).
//
// # Checkers
//
//   - [Ordering], [OrderingLess]: strict weak ordering laws over batches with
//     forced ties and edge values, every pair and triple checked.
//   - [Equivalence], [Groups], [OrderedGroups]: equality laws, consistency
//     with an order and a key, and hand-written groups.
//   - [Same]: old and new functions agree except where [Intended].
//   - [Threshold], [ThresholdTime]: a predicate matches its boundary at
//     boundary-ε, boundary, boundary+ε and the extremes.
//   - [Sensitive]: the check catches every mutant of the comparator.
//
// # Generation and coverage
//
// Values come from a pgregory.net/rapid generator, and rapid shrinks the
// failing batch, so witnesses are minimal. Checks run rapid outside any
// *testing.T: rapid's fail files are not written and its output is not
// printed. Because rapid reads its flags through package testing, the
// generated checks must run in a test binary (or after testing.Init and
// flag.Parse). -rapid.seed makes a run repeatable.
//
// A check whose generator never produced the outcomes it needs (two unequal
// values, say) fails with a [*CoverageError] listing the counts, rather than
// passing having tested nothing; [Require] asks for more.
package verify
