// Package canary judges a canary against its baseline with the Mann-Whitney U
// test, as Kayenta's judge does, and never calls missing data a pass.
//
// The main use is a gate: fetch the samples of one metric for the baseline and
// for the canary (latencies, error counts per minute…), and let Judge decide.
//
//	res, err := canary.Judge(baseline, canaryLatencies,
//		canary.HigherIsBad, canary.Confidence(0.98), canary.Tolerance(0.25))
//	if err != nil { // Fail or Inconclusive: errors.Is(err, canary.ErrFail)…
//		return err
//	}
//	fmt.Println(res) // pass: no significant difference…
//
// Analysis wraps the same judgement into a plain func(ctx) error that a
// rollout turns into a gate: it returns nil only on Pass.
//
//	gate := rollout.Check("canary", 5*time.Minute, canary.Analysis(fetch))
//
// Gate builds that gate calibrated: before the first deploy the executor
// checks that the judgement, with its options, fails a canary three times
// worse than its baseline and passes an A/A one, and refuses a plan whose
// gate cannot fail (rollout.ErrVacuousGate).
//
//	gate := canary.Gate("canary", 5*time.Minute, fetch, canary.Tolerance(0.25))
//
// # Verdicts
//
//   - Inconclusive (the zero Verdict) when either side has fewer than
//     MinSamples samples (default 50, per side), when the sample sizes could
//     not reach significance at all, or when the samples cannot be fetched or
//     contain NaN or ±Inf. Missing data is never a Pass: Kayenta once passed a
//     canary full of errors against a baseline that reported no data.
//   - Fail when the test finds a significant difference (p < 1 − confidence)
//     in the bad Direction and the effect exceeds the tolerance.
//   - Pass otherwise: no significant difference, or a significant one whose
//     effect stays within the tolerance.
//
// # Statistics
//
// U is computed from ranks, tied values getting their midrank. The p-value is
// exact (the null distribution of U, by dynamic programming) when both samples
// have fewer than 50 values and there are no ties; otherwise it uses the
// normal approximation with tie correction of the variance and continuity
// correction. This is the rule and the arithmetic of R's wilcox.test, and the
// tests compare against its published outputs and against printed tables of
// critical values.
//
// The effect is the relative change of the median,
// (median(canary) − median(baseline)) / |median(baseline)|: for positive
// metrics this is the ratio of medians minus one, so a tolerance of 0.25
// allows the canary's median to be 25% worse. Medians come for free from the
// sort the ranks need; the Hodges–Lehmann shift would cost n1·n2 pairwise
// differences (10¹⁰ for 2×100,000 samples). A baseline median of zero makes any
// change infinite. The median of a sparse metric (errors per minute, 0 in
// most minutes) does not move until more than half the samples are bad: judge
// such metrics with MeanChange, the relative change of the mean (Kayenta's
// mean ratio).
package canary
