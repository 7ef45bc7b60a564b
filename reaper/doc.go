// Package reaper cleans up orphaned resources in a way that no single wrong
// observer can turn into an outage.
//
//	r, err := reaper.New(inventory, []reaper.Observer{hostdb, projects, billing}, deprovisioner, ledger,
//		reaper.Strata("region", "generation", "kind"), reaper.Act(reaper.Delete, 3))
//	// ... every hour:
//	rep, err := r.Sweep(ctx)
//
// The user implements four small interfaces: an [Inventory] that lists
// resources with their attributes, [Observer]s that vote on each resource
// ([ObserverFunc] builds one from a function), a [Deprovisioner] that
// quarantines, restores and deletes ([DeleteOnly] for resources that cannot
// be stopped), and a [Ledger] that remembers ([FileLedger], or package
// pgreaper's for several replicas).
//
// # Deciding
//
// Every observer votes Alive, Orphan or Unknown, with evidence, for every
// resource; at most Limits.Concurrency calls run at once, each bounded by
// Limits.ObserveTimeout, and look-ups that many resources share go through
// [Lookup] (singleflight plus a per-sweep memo). Errors, timeouts, panics,
// invalid verdicts and Orphan votes without evidence count as Unknown. A
// resource is judged orphaned only with at least K Orphan votes from at
// least M distinct sources ([Quorum]; default 2 of 2, meant for three
// observers) and no Alive vote: one Alive vetoes.
//
// # Waiting
//
// A judged orphan is acted on only after being judged so in N consecutive
// sweeps spanning at least T ([Grace]; default 3 sweeps, 24h); any sweep
// without the verdict starts the count again. Action is a reversible
// Quarantine first; Delete follows only after [QuarantineWindow] (default
// 72h) with the resource still judged orphaned, and an Alive vote on a
// quarantined resource restores it.
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
// returns ErrHalted until an operator calls [Reaper.Acknowledge]. The
// acknowledgement is spent by the first sweep that acts, not by the shadow
// sweeps or grace sweeps before it. Actions are paced (Limits.Rate).
//
// Just before each action the observers are asked again (the live
// re-check), the lease is re-checked ([Elect]), and the deprovisioner
// receives a [Precondition] with the judged attributes and an idempotency
// key. An action that fails is retried in later sweeps with the same key,
// after a backoff that doubles (Limits.Backoff); after Limits.MaxAttempts
// failures the resource is parked, with its error in [Report].Parked, the
// audit and [Status], and left for a person. A quarantined or parked
// resource the inventory stops listing is remembered for Limits.Retention
// (30 days), never acted on blind, then forgotten.
//
// # Modes
//
// Shadow (the default, without [Act]) decides and records but never acts.
// Act(Quarantine, n) and Act(Delete, n) are refused, and the sweep runs as
// shadow with a [*PromotionError], until every stratum in the inventory has
// been observed in shadow mode for n sweeps: a new region or host
// generation is watched before it is touched.
//
// # Clocks
//
// Grace, quarantine, backoff, retention and the listing's age are measured
// on one clock: the ledger's if it keeps time (pgreaper's is the database's
// clock_timestamp()), else the replica's ([Clock], default time.Now).
// Listing.AsOf must be read from that clock. A ledger stamp, or an AsOf,
// more than five minutes in the future is refused with ErrClockSkew naming
// the skew: believing it would shorten or stretch every window.
//
// A replica's own clock can jump (an NTP step, a VM restored). On a ledger
// that keeps no time ([FileLedger]), each sweep, Acknowledge and Restore
// compares how far the clock moved since the previous one in the same
// process with how far the process's monotonic clock moved; a difference
// of more than five minutes, either way, is a jump. Every stamp in the
// ledger is then moved by it before anything is measured, so no grace,
// quarantine, backoff or retention wait counts it, and it is reported
// ([Report].ClockJump, a Warn audit record of kind "clock"); a reading
// taken after an action is put back on the sweep's footing the same way.
// Time a host spends suspended, which the monotonic clock does not count,
// is such a jump: no wait counts it. Not detected: a jump while no process
// runs (the first sweep of a process believes the clock's advance since
// the ledger was last stored, and refuses a stamp in its future as above),
// and a jump of a [Clock] whose readings carry no monotonic reading (a
// simulation, a time read from elsewhere), which is believed.
//
// # Several replicas
//
// Give every replica the same PostgreSQL ledger and lease:
//
//	ledger, lease, err := pgreaper.Open(ctx, pool, "servos")
//	r, err := reaper.New(inv, observers, dep, ledger, reaper.Elect(lease), reaper.Act(reaper.Delete, 3))
//
// One replica sweeps at a time; the others get ErrLeaseHeld. Windows are
// measured on the database's clock whatever the replicas' clocks say.
//
// # Audit and recovery
//
// Every verdict with its votes and evidence, every breaker decision,
// re-check and action goes to the [Logger] (silent by default): per
// resource at Debug, actions at Info, failures and halts at Error, one
// summary line per sweep. An audit record the handler fails to write stops
// the sweep before its next action (ErrAudit). The ledger records each
// action's intent before calling the deprovisioner and its outcome after,
// so a process killed at any point resumes with the same idempotency key
// and never acts twice.
//
// # Metrics
//
// With [MeterProvider] (default: the global provider, a no-op until the
// application installs one) the reaper records:
//
//	name                              unit        attributes        meaning
//	deploysafe.reaper.resources       {resource}  verdict           resources of the last sweep, by verdict (gauge)
//	deploysafe.reaper.breaker.trips   {trip}      limit             limits exceeded, acknowledged or not
//	deploysafe.reaper.actions         {action}    action, result    actions: ok, failed, parked, precondition, skipped, shadow
//	deploysafe.reaper.sweep.duration  s           outcome           sweeps: ok, tripped, halted, not_leader, error
//	deploysafe.reaper.halted          1                             1 while a halt awaits Acknowledge (observable gauge)
//
// A sweep refused by the lease (ErrLeaseHeld: another replica holds it) is
// outcome=not_leader, the normal state of every replica but one; a lease
// that cannot be asked, or one lost while acting (ErrLeaseLost), is error.
// No attribute carries a resource ID.
package reaper
