package reaper

import "context"

// Lease elects the one replica that may act. Sweep (and Restore) call
// Acquire first; if it returns an error wrapping ErrLeaseHeld the sweep
// does nothing. Before every action Sweep calls Check, and stops acting
// (ErrLeaseLost) as soon as it fails; at the end it calls Release. A
// Reaper never holds the lease twice at once. See package pgreaper for a
// PostgreSQL lease.
type Lease interface {
	// Acquire takes the lease without waiting.
	Acquire(ctx context.Context) error
	// Check returns nil while this replica still holds the lease.
	Check(ctx context.Context) error
	// Release gives the lease up.
	Release(ctx context.Context) error
}
