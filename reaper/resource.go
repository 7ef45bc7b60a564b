package reaper

import (
	"context"
	"time"
)

// Resource is one thing the inventory lists: a server, a volume, a bucket.
// Attrs carries what observers and strata read (kind, region, host
// generation, owner tags). The reaper never mutates Attrs.
type Resource struct {
	ID    string
	Attrs map[string]string
}

// Listing is one listing of the inventory. AsOf is when the listing was
// true, read from the clock the reaper measures on (see "Clocks" in the
// package doc): a zero AsOf counts as stale (the breaker halts), an AsOf
// further in the future than the skew tolerance is refused (ErrClockSkew).
type Listing struct {
	Resources []Resource
	AsOf      time.Time
}

// Inventory lists every resource the reaper may consider.
type Inventory interface {
	List(ctx context.Context) (Listing, error)
}
