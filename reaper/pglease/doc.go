// Package pglease elects the one reaper replica that may act, with a
// PostgreSQL session-level advisory lock.
//
//	lease, err := pglease.New(dsn, pglease.Key("reaper/servos"))
//	r, err := reaper.New(inv, observers, dep, ledger, reaper.WithLease(lease))
//
// Acquire opens a dedicated connection and takes pg_try_advisory_lock on it;
// another replica gets reaper.ErrLeaseHeld and its sweep does nothing. The
// lock lives exactly as long as that connection: if the connection dies
// (network partition, server restart, pg_terminate_backend) the server
// releases the lock, and the holder's next Check fails, so the reaper stops
// acting before the next action (reaper.ErrLeaseLost). Release unlocks and
// closes the connection.
//
// Keep the ledger in storage both replicas share, so whichever holds the
// lease continues from the same memory.
package pglease
