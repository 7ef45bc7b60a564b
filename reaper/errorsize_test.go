package reaper

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
)

// longID is issue 28's 10,000-character input.
var longID = strings.Repeat("x", 10000)

// wantShort fails unless err quotes the long input clipped: at most 64 of
// its runes and its size (10000 bytes, or more with a prefix such as
// "region="), never the whole of it.
func wantShort(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	msg := err.Error()
	if len(msg) > 400 || !strings.Contains(msg, "x…(100") || strings.Contains(msg, strings.Repeat("x", 65)) {
		t.Fatalf("%s: %d-byte error, want the input clipped to 64 runes and its size:\n%.300s", what, len(msg), msg)
	}
}

func TestErrorsClipTheInput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		r, inv, dep, _, _ := lifecycle(t, 100)
		wantShort(t, "Restore", r.Restore(ctx, longID))
		wantShort(t, "Acknowledge", r.Acknowledge(ctx, longID, "oncall"))

		pre := Precondition{Attrs: map[string]string{longID: "a", "owner": longID}}
		wantShort(t, "Check of a changed value", pre.Check(map[string]string{longID: "a", "owner": "b"}))
		wantShort(t, "CheckKeys of a gone key", pre.CheckKeys(map[string]string{}, longID))
		wantShort(t, "Check of an appeared key", Precondition{}.Check(map[string]string{longID: "a"}))

		wantShort(t, "ActionError", &ActionError{Resource: longID, Action: Quarantine, Err: errors.New("api down")})
		wantShort(t, "parked ActionError", &ActionError{Resource: longID, Action: Delete, Parked: true, Attempts: 5, Err: errors.New("x")})
		wantShort(t, "panicError", &panicError{Observer: longID, Value: "boom"})
		wantShort(t, "BreakerError of a stratum", &BreakerError{HaltID: "h", Trips: []Trip{{Limit: "stratum-fraction", Stratum: "region=" + longID, Count: 3, Total: 9}}})
		wantShort(t, "PromotionError", &PromotionError{Action: Delete, Required: 3, Strata: map[string]int{"region=" + longID: 0}})

		// A listing with the long ID twice halts, naming it clipped.
		inv.res = append(inv.res, res(longID), res(longID))
		_, err := r.Sweep(ctx)
		if !errors.Is(err, ErrBlastRadius) {
			t.Fatalf("duplicate IDs: %v", err)
		}
		var be *BreakerError
		errors.As(err, &be)
		wantShort(t, "inventory-invalid trip", errors.New(be.Trips[0].Detail))
		if len(dep.calls) != 0 {
			t.Fatal("acted")
		}

		_, err = FileLedger(filepath.Join(t.TempDir(), longID, "ledger"))
		wantShort(t, "FileLedger", err)
		_, err = New(inv, []Observer{truthObs(longID, nil), truthObs(longID, nil)}, dep, newMemLedger())
		wantShort(t, "New with two observers of one name", err)
		_, err = New(inv, []Observer{truthObs("a", nil), truthObs("b", nil)}, dep, newMemLedger(), Strata(longID, longID))
		wantShort(t, "Strata repeated", err)
	})
}
