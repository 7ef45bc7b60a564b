// Package rollout deploys a version in waves that cannot touch a target
// outside the approved plan, whose every deploy is confirmed, whose gates
// and deployer calls cannot hang, and whose rollback is rehearsed before it
// is needed.
//
// The user implements a three-method Deployer (or builds one with
// FromFuncs); the library owns the safety:
//
//	plan, err := rollout.NewPlan("v2", sites, // the explicit allowlist
//		rollout.Gates(rollout.Smoke{Within: 2 * time.Minute, Probe: healthz}.Gate()),
//		rollout.BakeEach(rollout.Bake{Min: 10 * time.Minute, Passes: 5, Every: 2 * time.Minute}))
//	fmt.Print(plan) // preview, with the fingerprint to approve
//	ex, err := rollout.New(deployer, rollout.FileJournal("/var/lib/app/v2.journal"))
//	report, err := ex.Run(ctx, plan, approvedFingerprint)
//
// # Plans
//
// NewPlan takes the targets explicitly and splits them into waves: a canary
// (1 target by default), then cumulative fractions of about 1%, 10%, 50% and
// 100% (empty waves dropped), or explicit Waves. Every wave needs at least one
// Gate and may Bake (a minimum time AND a minimum number of passing gate
// runs). A plan prints as a readable preview and has a Fingerprint, a SHA-256
// of version, targets, waves, gates (names, deadlines), bakes, the rehearsal,
// the confirmation (Settle), the CallDeadline and PutBack. Run refuses any
// other fingerprint before deploying anything (ErrFingerprint).
//
// # Approve in a pull request, apply in CI
//
// Plan.WriteTo saves a plan as reviewable text (version, settings, each
// wave's gates, bake and targets, one per line, and the fingerprint);
// ReadPlan reads it in another process and refuses a file edited since it
// was written. Gates are code, so a saved plan compares but does not run:
//
//	saved, err := rollout.ReadPlan(file)           // the plan approved in the PR
//	plan, err := rollout.NewPlan("v2", sites, …)   // the same plan, built again in CI
//	if ch := plan.Changes(saved); ch != nil {
//		return fmt.Errorf("plan changed since approval: %v", ch)
//	}
//	report, err := ex.Run(ctx, plan, saved.Fingerprint())
//
// # Acting per wave
//
// Hooks(before, after) runs user code ahead of each wave's first deploy and
// after its gates passed: snapshot the wave's tenants, check them. A hook's
// error fails the wave like a gate. Hooks are journalled: Resume does not
// run a finished hook again, and HookInput.ID (from the fingerprint, the
// wave and the phase) lets a hook find what it made before a crash.
//
// # The guard
//
// An Executor keeps the Deployer sealed; each Run binds it to the plan's
// allowlist and version, and that guard is the only path to the deployer.
// A call for any other target is refused with an *OffPlanError (ErrOffPlan)
// and never reaches the deployer.
//
// # Confirmation and census
//
// The executor does not believe a Deploy that returns nil: it asks Version
// until the target reports the plan's version, with backoff, for up to the
// plan's Settle time (1 minute by default; Settle(0) turns it off and the
// preview says so). A deploy that lands elsewhere fails with a *TargetError
// (Op "confirm", Want, Found; ErrConfirm) and the rollout rolls back.
//
// Confirmation lasts: after each wave's gates and bake, before the wave
// counts as passed, and again at the end, the executor asks Version once more
// for every target it deployed, with or without a census. A target that no
// longer runs the plan's version (another controller reverted it) fails the
// same way, every such target is named, and no later wave is deployed; a
// rollout never succeeds with a target off the plan's version. Settle(0)
// turns this off too.
//
// A Deployer that also has a Census method (see Deployer) is asked for every
// target its tool reaches, before the first deploy, after every wave, after
// a rollback and at the end. A target the rollout did not touch whose
// version changed stops the rollout: it rolls back, and the report lists the
// target as StateOffPlan with its Previous and Now versions. With PutBack the
// executor returns every target a census finds changed to its recorded
// version, through a guard that permits exactly that: off-plan targets, and
// targets of the plan, whether in a wave not reached yet or in one deployed
// that something else moved. The report says which were put back
// (TargetResult.PutBack) and which were not (their Err); a put back that
// does not happen ends the rollout OutcomeUnknown, never "rolled back". A
// census that fails or cannot be believed (duplicates, empty) stops the
// rollout (ErrCensus).
//
// # Gates and deadlines
//
// Every gate run is bounded by its Deadline, and every deployer call by the
// plan's CallDeadline (5 minutes by default). A check or call that does not
// return in time fails; one that ignores its context is abandoned after a
// grace of a tenth of its deadline (at most 1s; its goroutine ends when it
// returns, its result discarded). Any error fails a gate: inconclusive and
// no-data results never pass. So a failing rollout ends within: for each
// touched target, 3 calls to deploy (Version, Deploy, Version) plus Settle,
// one Version per later wave (the lasting confirmation, Concurrency at a
// time), and 3 to roll back; plus each gate's Deadline in the deploy phase
// and again in the verify phase; each with its grace; plus the census calls.
//
// # Rollback
//
// When a deploy errors or is not confirmed, a census finds an off-plan
// change, or a gate fails, the executor rolls back every touched target,
// latest first, confirms each one with Version, runs the gates again
// ("verify") and reports every target that could not be confirmed
// (ErrUnknownState, Report.Targets). A target rolled back whose gates then
// fail is reported Unhealthy, never as a clean rollback. By default the
// canary wave rehearses its rollback first: deploy, gates, rollback, gates,
// deploy again; a plan whose rollback fails the rehearsal stops before
// wave 2 (ErrRehearsal).
//
// # Journal
//
// Progress is written ahead to a journal (FileJournal for a file, Journal
// for any JournalStore). When the process dies, Resume finishes the rollout
// without deploying any target twice, and Abort rolls back exactly the
// touched targets. Interrupting ctx stops a rollout without rolling back;
// Resume or Abort it later (see "A lost lease, exactly" for the wait
// before a Resume acts). Records stamped more than 5 minutes in the
// future of this machine's clock stop the call (ErrJournal, naming the skew).
// [Inspect] reads a journal's latest rollout as a Report, acting on nothing
// (deploysafe rollout status shows it).
//
// # Several replicas
//
// A service that runs as several replicas keeps the journal in PostgreSQL
// (package rollout/pgjournal) instead of a file. pgjournal.Open takes the
// rollout's ownership lease: only one replica drives it at a time (the
// others get pgjournal.ErrLeaseHeld, which matches ErrInProgress), and
// when that replica dies or loses its database session, another replica
// Opens the journal and calls Resume. Every replica must run the same
// approved plan; the journal's fingerprint check refuses any other.
//
// # A lost lease, exactly
//
// Before every Deploy and Rollback (put backs included) the executor
// journals an intent that carries the call's deadline: the store's clock
// when the lease was last proven, plus CallDeadline. The call's context
// ends no later than that (its deadline is measured from before the
// proof). With a journal that has a lease (pgjournal.Journal: a method
// Check(ctx) (now time.Time, token int64, err error), see [JournalStore]):
//
//   - The lease is proven before every Deploy and Rollback, and every
//     quarter of CallDeadline (at most 5 s) while the rollout runs. When a
//     proof fails the holder starts no other call, ends the context of
//     every call in flight (its cause wraps ErrLeaseLost), emits "lease
//     lost", rolls nothing back, and returns OutcomeInterrupted with an
//     error matching ErrLeaseLost.
//   - Resume and Abort first wait (event "wait") until every intent that
//     no record closes is past its deadline on the store's clock, then
//     read each such target with Version before they deploy, roll back or
//     confirm it.
//   - Every call's context carries the lease's fencing token
//     ([FencingToken]), which grows with every new holder.
//
// So two holders never deploy (or roll back) one target twice, provided
// every Deploy and Rollback stops changing its target by its context's
// deadline. The bound: a holder that lost its lease changes no target
// later than CallDeadline after it last proved the lease, measured on the
// store's clock (only the two clocks' rates over one CallDeadline differ);
// the next holder acts no earlier. A Deploy that ignores its context can
// still land after its deadline: the next holder may then have read the
// target before the late change and deployed it again, or rolled it back
// under it. Only a target system that checks the fencing token (refusing
// a token lower than the highest it has seen) closes that gap.
//
// Without a lease (FileJournal, the default memory journal, other stores)
// the same intents are written and Resume waits the same way, measured on
// this machine's clock: a Resume after a crash waits out what remains of
// the dead process's calls (up to CallDeadline), and a Resume on another
// machine is exact only as far as the two clocks agree.
//
// # Logs and metrics
//
// Logger logs per-target steps at Debug, waves, censuses, a Resume's wait
// and the outcome at Info, failures, rollbacks, a lost lease and a census
// that finds a change (with the change) at Warn, targets left unknown, off-plan changes and failed
// rollouts at Error. A failed gate whose error implements
// slog.LogValuer is logged (and its Event carries, in Measured) with the
// values it measured.
//
// MeterProvider records, with attributes of bounded cardinality only:
//
//	name                              unit       attributes             meaning
//	deploysafe.rollout.deploys        {deploy}   outcome                deploys: deployed, failed, unconfirmed
//	deploysafe.rollout.rollbacks      {rollback} outcome                rolled_back, unknown, put_back (off-plan targets)
//	deploysafe.rollout.gate.runs      {run}      gate, phase, result    gate runs: pass, fail, timeout
//	deploysafe.rollout.gate.duration  s          gate, phase, result    gate run duration (histogram)
//	deploysafe.rollout.wave           {wave}     -                      the wave in progress (1 = canary); 0 when none
//	deploysafe.rollout.rollouts       {rollout}  outcome                Run, Resume and Abort calls by Outcome
//	deploysafe.rollout.aborts         {rollout}  cause                  rollbacks started, by cause: gate, deploy,
//	                                                                    unconfirmed, census, off_plan, operator, other
package rollout
