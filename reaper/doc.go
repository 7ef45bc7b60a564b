// Package reaper cleans up orphaned resources in a way that no single wrong
// observer can turn into an outage.
//
//	r, err := reaper.New(inventory, []reaper.Observer{hostdb, projects, billing}, deprovisioner, ledger,
//		reaper.WithStrata("region", "generation", "kind"))
//	// ... every hour:
//	rep, err := r.Sweep(ctx)
//
// The user implements four small interfaces: an [Inventory] that lists
// resources with their attributes, [Observer]s that vote on each resource,
// a [Deprovisioner] that quarantines, restores and deletes, and a [Ledger]
// that remembers (use [NewFileLedger]).
//
// # Deciding
//
// Every observer votes Alive, Orphan or Unknown, with evidence, for every
// resource; at most WithConcurrency calls run at once, each bounded by
// WithObserveTimeout, and look-ups that many resources share go through
// [Lookup] (singleflight plus a per-sweep memo). Errors, timeouts, panics,
// invalid verdicts and Orphan votes without evidence count as Unknown. A
// resource is judged orphaned only with at least K Orphan votes from at
// least M distinct sources ([WithQuorum]; default 2 of 2, meant for three
// observers) and no Alive vote: one Alive vetoes.
//
// # Waiting
//
// A judged orphan is acted on only after being judged so in N consecutive
// sweeps spanning at least T ([WithGrace]; default 3 sweeps, 24h); any
// sweep without the verdict starts the count again. Action is a reversible
// Quarantine first; Delete follows only after [WithQuarantineWindow]
// (default 72h) with the resource still judged orphaned, and an Alive vote
// on a quarantined resource restores it.
//
// # Limiting
//
// A blast-radius breaker ([Limits], [DefaultLimits]) checks each sweep
// before anything is done: the number of actions (10), the orphaned
// fraction of the inventory (1%), the orphaned fraction of every stratum
// and each observer's Orphan votes in every stratum (10%), and the
// inventory itself (empty, shrunk by more than 10% since the last sweep,
// older than an hour, duplicate IDs). If any is exceeded the whole sweep
// halts with a [*BreakerError] naming every trip, and every later sweep
// returns [ErrHalted] until an operator calls [Reaper.Acknowledge].
// Actions are also rate limited ([WithRate]).
//
// Just before each action the observers are asked again (the live
// re-check), the lease is re-checked ([WithLease]; see package pglease), and
// the deprovisioner receives a [Precondition] with the judged attributes
// and an idempotency key.
//
// # Modes
//
// [Shadow] (the default) decides and records but never acts. [Quarantine]
// and [Delete] are refused, and the sweep runs as Shadow with a
// [*PromotionError], until every stratum in the inventory has been observed
// in shadow mode for [WithShadowSweeps] sweeps: a new region or host
// generation is watched before it is touched.
//
// # Audit and recovery
//
// Every verdict with its votes and evidence, every breaker decision,
// re-check and action goes to a [Sink] ([SlogSink] by default). The ledger
// records each action's intent before calling the deprovisioner and its
// outcome after, so a process killed at any point resumes with the same
// idempotency key and never acts twice.
package reaper
