package reaper

import "context"

// Lease elects the one replica that may act. Sweep calls Acquire first; if
// it returns an error wrapping ErrLeaseHeld the sweep does nothing. Before
// every action Sweep calls Held.Check, and stops acting (ErrLeaseLost) as
// soon as it fails. See package pglease for a PostgreSQL advisory-lock
// implementation.
type Lease interface {
	Acquire(ctx context.Context) (Held, error)
}

// Held is a lease this replica holds.
type Held interface {
	// Check returns nil while the lease is still held.
	Check(ctx context.Context) error
	// Release gives the lease up. It is called once, at the end of a sweep.
	Release(ctx context.Context) error
}
