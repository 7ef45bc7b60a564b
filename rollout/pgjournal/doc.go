// Package pgjournal keeps a rollout's journal in PostgreSQL, so that several
// replicas of a service can drive one rollout: one at a time, and any of
// them can Resume it when the one driving it dies.
//
//	j, err := pgjournal.Open(ctx, dsn, "checkout-v2")
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
// ends its session and releases the lock, and the holder's next Append fails
// (the rollout stops, ErrJournal) instead of writing behind another owner's
// back. Another replica then Opens the journal and Resumes: the journal is
// written ahead of every deployer call, so no target is deployed twice.
// A connection pooler in transaction mode (pgbouncer) cannot carry a session
// lock: connect directly.
//
// # Schema
//
// Open creates its two tables (deploysafe_rollout_schema and
// deploysafe_rollout_journal, in the connection's search_path) when they do
// not exist, and refuses a schema written by a newer version of this
// package. Every statement is bounded (10 s); an unreachable database or a
// statement that times out fails the call, and the rollout does not
// proceed. Errors name the host, never the password.
//
// [Inspect] reads a rollout's journal without its lease and without
// creating anything, and says whether a live executor holds the lease.
package pgjournal
