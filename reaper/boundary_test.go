package reaper

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// Every limit is pinned on both sides of its boundary: a < that becomes <=,
// or a - that becomes +, fails one of these tests.

func only(ts []Trip, limit string) []Trip {
	var out []Trip
	for _, t := range ts {
		if t.Limit == limit {
			out = append(out, t)
		}
	}
	return out
}

// listingSweep is a sweep that has listed n resources, as of age ago, with
// last resources at the previous completed sweep.
func listingSweep(t *testing.T, n, last int, age time.Duration) *sweep {
	t.Helper()
	r := mustNew(t, &fleet{}, []Observer{truthObs("a", nil)}, newDep(), newMemLedger(), Quorum(1, 1))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &sweep{r: r, st: newState(), now: now, rep: &Report{}}
	s.st.LastInventory = last
	for i := 0; i < n; i++ {
		s.list.Resources = append(s.list.Resources, res("r"+itoaT(i)))
	}
	s.list.AsOf = now.Add(-age)
	return s
}

func TestBoundaryInventoryShrunk(t *testing.T) {
	// MaxShrink 0.10: of 100, shrinking by 10 passes, by 11 trips; of 95,
	// ceil(9.5) = 10 may go.
	for _, tc := range []struct {
		n, last, allowed int
		trip             bool
	}{
		{100, 100, 10, false}, {90, 100, 10, false}, {89, 100, 10, true}, {101, 100, 10, false},
		{85, 95, 10, false}, {84, 95, 10, true}, {5, 0, 0, false},
	} {
		s := listingSweep(t, tc.n, tc.last, 0)
		got := only(s.inventoryTrips(), "inventory-shrunk")
		if (len(got) == 1) != tc.trip {
			t.Fatalf("%d after %d: trips %v, want trip=%v", tc.n, tc.last, got, tc.trip)
		}
		if tc.trip && (got[0].Count != tc.last-tc.n || got[0].Allowed != tc.allowed || got[0].Total != tc.last) {
			t.Fatalf("%d after %d: %+v, want count %d allowed %d total %d", tc.n, tc.last, got[0], tc.last-tc.n, tc.allowed, tc.last)
		}
	}
}

func TestBoundaryInventoryAge(t *testing.T) {
	for _, tc := range []struct {
		age  time.Duration
		trip bool
	}{{0, false}, {time.Hour, false}, {time.Hour + time.Nanosecond, true}, {3 * time.Hour, true}} {
		s := listingSweep(t, 10, 0, tc.age)
		got := only(s.inventoryTrips(), "inventory-stale")
		if (len(got) == 1) != tc.trip {
			t.Fatalf("age %v: trips %v, want trip=%v", tc.age, got, tc.trip)
		}
		if tc.trip && (got[0].Allowed != 3600 || got[0].Count != int(tc.age/time.Second)) {
			t.Fatalf("age %v: %+v", tc.age, got[0])
		}
	}
	s := listingSweep(t, 10, 0, 0)
	s.list.AsOf = time.Time{}
	if got := only(s.inventoryTrips(), "inventory-stale"); len(got) != 1 {
		t.Fatalf("zero AsOf: %v", got)
	}
}

func TestBoundaryInventoryEmptyAndInvalid(t *testing.T) {
	if got := only(listingSweep(t, 0, 0, 0).inventoryTrips(), "inventory-empty"); len(got) != 1 {
		t.Fatalf("empty: %v", got)
	}
	if got := only(listingSweep(t, 1, 0, 0).inventoryTrips(), "inventory-empty"); len(got) != 0 {
		t.Fatalf("one resource: %v", got)
	}
	s := listingSweep(t, 3, 0, 0)
	s.list.Resources = append(s.list.Resources, res("r1"), res(""))
	got := only(s.inventoryTrips(), "inventory-invalid")
	if len(got) != 1 || got[0].Count != 2 || !strings.Contains(got[0].Detail, `first "r1"`) {
		t.Fatalf("invalid: %+v", got)
	}
	if got := only(listingSweep(t, 3, 0, 0).inventoryTrips(), "inventory-invalid"); len(got) != 0 {
		t.Fatalf("valid: %v", got)
	}
}

// radius builds the tallies of n resources in one stratum with orphans
// orphan verdicts, claims Orphan votes by observer a, and actions planned.
func radius(t *testing.T, n, orphans, claims, actions int) []Trip {
	t.Helper()
	r := mustNew(t, &fleet{}, []Observer{truthObs("a", nil), truthObs("b", nil)}, newDep(), newMemLedger(), Strata("region"))
	var rs []Resource
	for i := 0; i < n; i++ {
		rs = append(rs, res("r"+itoaT(i), "region", "x"))
	}
	s := r.stratify(rs)
	tl := tallies{orphans: orphans, actions: actions, perStrat: make([]int, len(s.names)), claims: make([]int, 2*len(s.names))}
	tl.perStrat[0], tl.claims[0] = orphans, claims
	return r.radiusTrips(s, tl, n)
}

func TestBoundaryRadius(t *testing.T) {
	// 1000 resources: MaxActions 10, MaxFraction 1% (10), MaxStratumFraction 10% (100).
	for _, tc := range []struct {
		name                     string
		n, orphans, claims, acts int
		want                     string // the trip expected, "" for none
		allowed                  int
	}{
		{"actions at limit", 1000, 0, 0, 10, "", 0},
		{"actions over", 1000, 0, 0, 11, "actions", 10},
		{"fraction at limit", 1000, 10, 0, 0, "", 0},
		{"fraction over", 1000, 11, 0, 0, "inventory-fraction", 10},
		{"fraction rounds up", 950, 10, 0, 0, "", 0},
		{"fraction rounds up, over", 950, 11, 0, 0, "inventory-fraction", 10},
		{"observer claims at limit", 1000, 0, 100, 0, "", 0},
		{"observer claims over", 1000, 0, 101, 0, "observer-stratum-fraction", 100},
	} {
		got := radius(t, tc.n, tc.orphans, tc.claims, tc.acts)
		if tc.want == "" {
			if len(got) != 0 {
				t.Fatalf("%s: trips %v", tc.name, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Limit != tc.want || got[0].Allowed != tc.allowed {
			t.Fatalf("%s: trips %+v, want one %s allowing %d", tc.name, got, tc.want, tc.allowed)
		}
	}
	// The per-stratum fraction of orphan verdicts: a stratum of 50 within
	// a fleet large enough that the fleet-wide fraction stays quiet.
	r := mustNew(t, &fleet{}, []Observer{truthObs("a", nil)}, newDep(), newMemLedger(), Quorum(1, 1), Strata("region"))
	var rs []Resource
	for i := 0; i < 50; i++ {
		rs = append(rs, res("s"+itoaT(i), "region", "small"))
	}
	s := r.stratify(rs)
	for orphans, trip := range map[int]bool{5: false, 6: true} {
		tl := tallies{orphans: orphans, perStrat: []int{orphans}, claims: []int{0}}
		got := only(r.radiusTrips(s, tl, 100000), "stratum-fraction")
		if (len(got) == 1) != trip || trip && (got[0].Allowed != 5 || got[0].Stratum != "region=small" || got[0].Total != 50) {
			t.Fatalf("%d of 50 orphaned: %+v, want trip=%v", orphans, got, trip)
		}
	}
}

// A sweep's skew tolerance: five minutes ahead is believed, more is not.
func TestBoundaryClockSkew(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, tc := range []struct {
			ahead time.Duration
			skew  bool
		}{{0, false}, {skewTolerance, false}, {skewTolerance + time.Second, true}} {
			led := newMemLedger()
			inv := &fleet{res: []Resource{res("a"), res("b")}}
			o := []Observer{truthObs("x", nil)}
			ahead := mustNew(t, inv, o, newDep(), led, Quorum(1, 1), Clock(func() time.Time { return time.Now().Add(tc.ahead) }))
			if _, err := ahead.Sweep(context.Background()); err != nil {
				t.Fatal(err)
			}
			_, err := mustNew(t, inv, o, newDep(), led, Quorum(1, 1)).Sweep(context.Background())
			if errors.Is(err, ErrClockSkew) != tc.skew {
				t.Fatalf("ledger written %v ahead: err = %v, want skew=%v", tc.ahead, err, tc.skew)
			}
			if tc.skew && !strings.Contains(err.Error(), "5m1s ahead") {
				t.Fatalf("error does not name the skew: %v", err)
			}
			// The listing's AsOf, from a clock that is ahead.
			fut := &fleet{res: inv.res, stale: -tc.ahead}
			_, err = mustNew(t, fut, o, newDep(), newMemLedger(), Quorum(1, 1)).Sweep(context.Background())
			if errors.Is(err, ErrClockSkew) != tc.skew {
				t.Fatalf("AsOf %v ahead: err = %v, want skew=%v", tc.ahead, err, tc.skew)
			}
		}
	})
}
