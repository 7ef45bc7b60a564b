// Package pgjournal keeps a rollout's journal in PostgreSQL, so that several
// replicas of a service can drive one rollout: one at a time, and any of
// them can Resume it when the one driving it dies.
//
//	pool, err := pgxpool.New(ctx, dsn) // its search_path chooses the schema
//	j, err := pgjournal.Open(ctx, pool, "checkout-v2")
//	if errors.Is(err, pgjournal.ErrLeaseHeld) { /* another replica drives it */ }
//	defer j.Close()
//	ex, err := rollout.New(deployer, rollout.Journal(j))
//	report, err := ex.Resume(ctx, plan, approved) // or Run for a new rollout
//
// # The lease
//
// Open takes an ownership lease on the named rollout: a PostgreSQL
// session-level advisory lock on a dedicated connection, which every Append
// then uses. A second Open of the same name, from any replica, fails with an
// error wrapping ErrLeaseHeld (which also matches rollout.ErrInProgress)
// while the lease is held; Run on a journal that holds an unfinished
// rollout fails with rollout.ErrInProgress alone. The lease
// lives exactly as long as that connection: when the holder dies (process
// killed, connection lost, server restart, pg_terminate_backend) the server
// ends its session and releases the lock. A Journal has the lease rollout looks for (its Check method):
// Check runs a statement on that connection, which succeeds only while the
// session, and so the lock, lives, and returns the database's
// clock_timestamp() and the fencing token. The executor checks before
// every Deploy and Rollback and every quarter of the plan's CallDeadline
// (at most 5 s); a holder whose connection ended starts no other call and
// ends the context of every call in flight (rollout.ErrLeaseLost), and its
// Appends fail too (it never writes behind another owner's back).
//
// Another replica then Opens the journal and Resumes. Every intent (before
// a Deploy or Rollback) carries its call's deadline on the database clock
// (clock_timestamp() of the check before it, plus CallDeadline); Resume
// waits until clock_timestamp() passes the deadline of every intent
// without an outcome, then reads the target again. So no target is
// deployed twice, provided every Deploy stops changing its target by its
// context's deadline: the old holder's calls end within CallDeadline of its
// last check, on the database's clock, and the new holder acts no earlier.
// A Deploy that ignores its context and lands later than that can still
// deploy a target the new holder deployed too; a target system that
// checks the fencing token (rollout.FencingToken) refuses it.
//
// The fencing token is the lease's generation, kept per rollout in
// deploysafe_rollout_lease: 1 at the first Open, one more at every Open
// after, written under the lock, so every holder's token is greater than
// every earlier holder's.
//
// A connection pooler in transaction mode (pgbouncer) cannot carry a session
// lock: connect directly.
//
// # Schema
//
// Open creates its three tables (deploysafe_rollout_schema,
// deploysafe_rollout_journal and deploysafe_rollout_lease, in the
// connection's search_path) when they do
// not exist, and refuses a schema written by a newer version of this
// package. Every statement is bounded (10 s); an unreachable database or a
// statement that times out fails the call, and the rollout does not
// proceed. Errors name the host, never the password.
//
// [Inspect] reads a rollout's journal without its lease and without
// creating anything, and says whether a live executor holds the lease.
package pgjournal
