// Package pgreaper keeps a reaper's ledger, its lease and its clock in
// PostgreSQL, so that several replicas of a service can run one reaper.
//
//	pool, err := pgxpool.New(ctx, dsn)
//	ledger, lease, err := pgreaper.Open(ctx, pool, "servos")
//	r, err := reaper.New(inv, observers, dep, ledger, reaper.Elect(lease), reaper.Act(reaper.Delete, 3))
//
// # Lease
//
// Acquire takes a session-level advisory lock (pg_try_advisory_lock) on a
// connection of its own, taken out of the pool; another replica gets
// reaper.ErrLeaseHeld and its sweep does nothing. The lock lives exactly as
// long as that connection: if it dies (network partition, server restart,
// pg_terminate_backend) the server releases the lock, the holder's next
// Check fails, and the reaper stops before its next action
// (reaper.ErrLeaseLost). While the lease is held, the ledger writes through
// the lock's connection, so a replica that lost the lease cannot overwrite
// the next holder's state. The dedicated connection also keeps the lock
// working behind pgbouncer in transaction mode.
// [Holder] names the session that holds a reaper's lease, for an operator
// (deploysafe reaper status shows it).
//
// # Clock
//
// The ledger keeps time: the reaper reads the database's clock_timestamp()
// (the wall clock at the moment of the statement, not now(), which is the
// start of its transaction) at the start of each sweep and after each
// action, and stamps and measures grace, quarantine, backoff and retention
// on it. Replicas' own clocks may be hours apart; the windows are not.
// Listing.AsOf is measured on that clock too: stamp listings from a host
// whose clock is synchronised, or with SELECT clock_timestamp().
//
// # Schema
//
// Open creates its tables (reaper_schema, reaper_ledger) in the first
// schema of the pool's search_path if they are missing, and records their
// version; it refuses a database whose schema is newer than this package
// with an error saying so, rather than misread it. [ReadOnly] reads a
// ledger without creating anything (for an operator's look at a database
// that may hold none). One row per reaper name
// holds its ledger, so a sweep of a million resources is one read and one
// write, plus two writes per action, however large the fleet.
//
// # Faults
//
// A database that is unreachable, or a statement that exceeds the
// statement_timeout configured on the pool (RuntimeParams), fails the
// sweep before any action with reaper.ErrLedger or a lease error. Errors
// name the server (host:port), never the password.
package pgreaper
