package reaper

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func constObs(name, source string, v Vote, err error) obs {
	return obs{name: name, source: source, fn: func(context.Context, Resource) (Vote, error) { return v, err }}
}

func TestTally(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		orphan := Vote{Orphan, "gone"}
		alive := Vote{Alive, "owned"}
		unk := Vote{}
		o3 := []Observer{constObs("a", "s1", orphan, nil), constObs("b", "s2", orphan, nil), constObs("c", "s2", orphan, nil)}
		r := mustNew(t, &fleet{}, o3, newDep(), newMemLedger(), Quorum(2, 2))
		cases := []struct {
			votes []Vote
			want  Verdict
		}{
			{[]Vote{orphan, orphan, orphan}, Orphan},
			{[]Vote{orphan, orphan, alive}, Alive},    // any Alive vetoes
			{[]Vote{alive, unk, unk}, Alive},          //
			{[]Vote{orphan, unk, unk}, Unknown},       // one vote is not a quorum
			{[]Vote{unk, orphan, orphan}, Unknown},    // two votes, one source (s2)
			{[]Vote{orphan, orphan, unk}, Orphan},     // two votes, two sources
			{[]Vote{unk, unk, unk}, Unknown},          //
			{[]Vote{orphan, unk, orphan}, Orphan},     //
			{[]Vote{{Verdict: 9}, unk, unk}, Unknown}, // garbage is not a vote
		}
		for _, c := range cases {
			if got := r.tally(c.votes); got != c.want {
				t.Errorf("tally(%v) = %v, want %v", c.votes, got, c.want)
			}
		}
	})
}

// Every way of not knowing must become Unknown, never Orphan.
func TestObserveOneUnknowns(t *testing.T) {
	slow := obs{name: "slow", source: "s", fn: func(ctx context.Context, _ Resource) (Vote, error) {
		<-ctx.Done()
		return Vote{Orphan, "late"}, nil // answers after its deadline: must not count
	}}
	cases := map[string]obs{
		"error":    constObs("e", "s", Vote{Orphan, "x"}, errors.New("404 not found")),
		"panic":    {name: "p", source: "s", fn: func(context.Context, Resource) (Vote, error) { panic("observer bug") }},
		"invalid":  constObs("i", "s", Vote{Verdict: 3, Evidence: "x"}, nil),
		"noevid":   constObs("n", "s", Vote{Verdict: Orphan}, nil),
		"timeout":  slow,
		"explicit": constObs("u", "s", Vote{Unknown, "format v1 not understood"}, nil),
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := mustNew(t, &fleet{}, []Observer{o}, newDep(), newMemLedger(), Quorum(1, 1), limits(func(l *Limits) { l.ObserveTimeout = 20 * time.Millisecond }))
				cc := newCallCtx(context.Background(), r.cfg.limits.ObserveTimeout)
				defer cc.close()
				v, _ := r.observeOne(cc, o, res("x"))
				if v.Verdict != Unknown {
					t.Fatalf("vote = %+v, want Unknown", v)
				}
				if v.Evidence == "" {
					t.Fatalf("Unknown vote without evidence of why")
				}
			})
		})
	}
}

func TestErroringObserverActsOnNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inv := &fleet{res: []Resource{res("a"), res("b"), res("c")}}
		orph := map[string]bool{"a": true, "b": true, "c": true}
		down := constObs("down", "billing", Vote{}, errors.New("connection refused"))
		sink := &memSink{}
		dep := newDep()
		lim := testLimits()
		lim.MaxFraction, lim.MaxStratumFraction = 1, 1
		r := mustNew(t, inv, []Observer{truthObs("hostdb", orph), down}, dep, newMemLedger(),
			append(fast(sink), Act(Delete, 0), Grace(1, 0), QuarantineWindow(0), Limit(lim))...)
		for i := 0; i < 5; i++ {
			rep, err := r.Sweep(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Orphan != 0 || rep.Unknown != 3 || len(rep.Planned) != 0 {
				t.Fatalf("sweep %d: %+v", i, rep)
			}
			time.Sleep(time.Hour)
		}
		if len(dep.calls) != 0 {
			t.Fatalf("acted with one observer down: %v", dep.calls)
		}
		recs := sink.Records(KindVerdict)
		if len(recs) == 0 || recs[0].Votes[1].Err == nil {
			t.Fatalf("audit does not show the observer error: %+v", recs)
		}
	})
}

func TestLookupSharesWithinSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int64
		owner := func(ctx context.Context, r Resource) (Vote, error) {
			ok, err := Lookup(ctx, "project/"+r.Attrs["project"], func(ctx context.Context) (bool, error) {
				calls.Add(1)
				time.Sleep(time.Millisecond)
				return r.Attrs["project"] != "gone", nil
			})
			if err != nil {
				return Vote{}, err
			}
			if ok {
				return Vote{Alive, "project exists"}, nil
			}
			return Vote{Orphan, "project deleted"}, nil
		}
		inv := &fleet{}
		for i := 0; i < 200; i++ {
			p := "p1"
			if i%2 == 0 {
				p = "p2"
			}
			if i%10 == 0 {
				p = "gone"
			}
			inv.res = append(inv.res, res("r"+string(rune('a'+i%26))+itoaT(i), "project", p))
		}
		lim := testLimits()
		lim.MaxFraction, lim.MaxStratumFraction, lim.MaxActions, lim.Concurrency = 1, 1, 1000, 8
		r := mustNew(t, inv, []Observer{obs{name: "projects", source: "projects", fn: owner}}, newDep(), newMemLedger(),
			append(fast(&memSink{}), Quorum(1, 1), Limit(lim))...)
		rep, err := r.Sweep(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := calls.Load(); got != 3 {
			t.Fatalf("look-ups = %d, want 3 (one per project)", got)
		}
		if rep.Orphan != 20 || rep.Alive != 180 {
			t.Fatalf("report %+v", rep)
		}
		// Outside a sweep, Lookup just calls fn.
		v, err := Lookup(context.Background(), "k", func(context.Context) (int, error) { return 7, nil })
		if v != 7 || err != nil {
			t.Fatalf("Lookup outside sweep = %v, %v", v, err)
		}
	})
}

func itoaT(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		i /= 10
		if i == 0 {
			return s
		}
	}
}

func TestCancelledSweepLeavesLedgerUnchanged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _, dep, _, _ := lifecycle(t, 500, "o")
		sweepOK(t, r)
		ctx, cancel := context.WithCancel(context.Background())
		r.obs[0] = obs{name: "a", source: "a", fn: func(context.Context, Resource) (Vote, error) {
			cancel()
			return Vote{Orphan, "x"}, nil
		}}
		if _, err := r.Sweep(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		st, err := r.Status(context.Background())
		if err != nil || st.Sweeps != 1 || len(dep.calls) != 0 {
			t.Fatalf("status %+v %v calls %v", st, err, dep.calls)
		}
	})
}

// The reused per-worker context: a timed-out call does not poison the next.
func TestCallCtxReuseAfterTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		o := obs{name: "o", source: "s", fn: func(ctx context.Context, _ Resource) (Vote, error) {
			calls++
			if calls == 1 {
				<-ctx.Done()
				return Vote{Orphan, "late"}, nil
			}
			if err := ctx.Err(); err != nil {
				return Vote{}, err
			}
			if d, ok := ctx.Deadline(); !ok || time.Until(d) <= 0 {
				return Vote{}, errors.New("no fresh deadline")
			}
			return Vote{Orphan, "in time"}, nil
		}}
		r := mustNew(t, &fleet{}, []Observer{o}, newDep(), newMemLedger(), Quorum(1, 1), limits(func(l *Limits) { l.ObserveTimeout = 30 * time.Millisecond }))
		cc := newCallCtx(context.Background(), r.cfg.limits.ObserveTimeout)
		defer cc.close()
		if v, err := r.observeOne(cc, o, res("x")); v.Verdict != Unknown || !errors.Is(err, errTimeout) {
			t.Fatalf("first call: %+v %v", v, err)
		}
		if v, err := r.observeOne(cc, o, res("x")); v.Verdict != Orphan || err != nil {
			t.Fatalf("second call: %+v %v", v, err)
		}
	})
}
