package reaper

import (
	"context"
	"fmt"
	"time"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// skewTolerance is how far in the future a stamp in the ledger, or a
// listing's AsOf, may lie before the reaper refuses to believe it: NTP
// keeps hosts within milliseconds, so five minutes is a broken clock.
const skewTolerance = 5 * time.Minute

// measure reads the clock windows are measured on: the ledger's, if it
// keeps time, else the replica's.
func (r *Reaper) measure(ctx context.Context) (time.Time, error) {
	if c, ok := r.ledger.(ledgerClock); ok {
		t, err := c.Now(ctx)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: clock: %w", ErrLedger, err)
		}
		return t, nil
	}
	return r.cfg.now(), nil
}

// checkSkew refuses a ledger holding a stamp further in the future than
// the tolerance: believing it would stretch or shrink every window measured
// from it. It names the largest skew and where it was found.
func checkSkew(st *state, now time.Time) error {
	var worst time.Duration
	var where string
	see := func(t time.Time, what string) {
		if d := t.Sub(now); d > worst {
			worst, where = d, what
		}
	}
	see(st.At, "the last store")
	if st.Halt != nil {
		see(st.Halt.At, "the halt")
	}
	for id, e := range st.Entries {
		see(e.First, "resource "+clip.String(id)+"'s first orphan verdict")
		see(e.QuarantinedAt, "resource "+clip.String(id)+"'s quarantine")
		see(e.Missing, "resource "+clip.String(id)+"'s absence")
	}
	if worst <= skewTolerance {
		return nil
	}
	return fmt.Errorf("reaper: the ledger's stamp of %s is %v ahead of this replica's clock (%s): a replica's clock is ahead, or this one's behind: %w",
		where, worst.Round(time.Second), now.Format(time.RFC3339), ErrClockSkew)
}
