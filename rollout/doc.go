// Package rollout deploys a version in waves that cannot touch a target
// outside the approved plan, whose gates cannot hang, and whose rollback is
// rehearsed before it is needed.
//
// The user implements a three-method Deployer; the library owns the safety:
//
//	plan, err := rollout.NewPlan("v2", sites, // the explicit allowlist
//		rollout.Gates(rollout.Smoke(2*time.Minute, probe)),
//		rollout.BakeEach(rollout.Bake{Min: 10 * time.Minute, Passes: 5, Every: 2 * time.Minute}))
//	fmt.Print(plan) // preview, with the fingerprint to approve
//	ex, err := rollout.New(deployer, rollout.WithJournal(journal))
//	report, err := ex.Run(ctx, plan, approvedFingerprint)
//
// # Plans
//
// NewPlan takes the targets explicitly and splits them into waves: a canary
// (1 target by default), then cumulative fractions of about 1%, 10%, 50% and
// 100% (empty waves dropped), or explicit Waves. Every wave needs at least one
// Gate and may Bake (a minimum time AND a minimum number of passing gate
// runs). A plan prints as a readable preview and has a Fingerprint, a SHA-256
// of version, targets, waves, gates (names, deadlines), bakes and the
// rehearsal setting. Run refuses any other fingerprint before deploying
// anything (ErrFingerprint).
//
// # The guard
//
// An Executor keeps the Deployer sealed; each Run binds it to the plan's
// allowlist and version, and that guard is the only path to the deployer.
// A call for any other target is refused with ErrOffPlan and never reaches
// the deployer.
//
// # Gates
//
// Every gate run is bounded by its Deadline. A check that does not return in
// time fails with ErrGateTimeout; one that ignores its context is abandoned
// (its goroutine ends when the check returns; its result is discarded). Any
// error fails the gate: inconclusive and no-data results never pass. Check
// turns any func(ctx) error into a gate (canary analysis, invariant checks);
// Smoke is the start-up smoke check with captured diagnostics.
//
// # Rollback
//
// When a deploy errors or a gate fails, the executor rolls back every target
// touched so far, latest first, confirms each one with Version, runs the
// gates again (PhaseVerify) and reports every target that could not be
// confirmed (ErrUnknownState, Report.Targets). By default the canary wave
// rehearses its rollback first: deploy, gates, rollback, gates, deploy again;
// a plan whose rollback fails the rehearsal stops before wave 2 (ErrRehearsal).
//
// # Journal
//
// Progress is written ahead to a Journal (OpenFileJournal for a durable one).
// When the process dies, Resume finishes the rollout without deploying any
// target twice, and Abort rolls back exactly the touched targets. Interrupting
// ctx stops a rollout without rolling back; Resume or Abort it later.
package rollout
