package schedule_test

import (
	"context"
	"fmt"
	"time"

	"github.com/deploysafe/deploysafe/verify/schedule"
)

func ExampleResolve() {
	berlin, _ := schedule.LoadZone("Europe/Berlin")
	w := schedule.Wall{Year: 2026, Month: time.March, Day: 29, Hour: 2, Minute: 30} // skipped by DST
	for _, p := range []schedule.Policy{schedule.Compatible, schedule.Earlier, schedule.Later} {
		t, _ := schedule.Resolve(w, berlin, p)
		fmt.Println(p, t.Format(time.RFC3339))
	}
	_, err := schedule.Resolve(w, berlin, schedule.Reject)
	fmt.Println(err)
	// Output:
	// compatible 2026-03-29T03:30:00+02:00
	// earlier 2026-03-29T01:30:00+01:00
	// later 2026-03-29T03:30:00+02:00
	// schedule: 2026-03-29T02:30:00 in Europe/Berlin does not exist (gap): offset changes from +01:00 (CET) to +02:00 (CEST, DST) at 2026-03-29T01:00:00Z
}

// A storage layer that keeps "days from now" in a field capped at 30, as in
// the incident that motivated this package.
type daysFromNow struct{ Created, Days, Rest int64 }

func ExampleSweep() {
	const day = 24 * time.Hour
	capped := schedule.CodecFuncs[daysFromNow]{
		EncodeFunc: func(ev schedule.Event) (daysFromNow, error) {
			d := ev.At.Sub(ev.Created)
			return daysFromNow{ev.Created.Unix(), min(int64(d/day), 30), int64(d % day)}, nil
		},
		DecodeFunc: func(r daysFromNow) (schedule.Event, error) {
			at := time.Unix(r.Created, 0).Add(time.Duration(r.Days)*day + time.Duration(r.Rest))
			berlin, err := schedule.LoadZone("Europe/Berlin")
			return schedule.Event{At: at.In(berlin), Zone: "Europe/Berlin"}, err
		},
	}
	rep, err := schedule.Sweep(context.Background(), capped,
		schedule.WithZones("Europe/Berlin"),
		schedule.WithWindow(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)),
		schedule.WithHorizons(schedule.After(30*day), schedule.After(31*day)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d of %d events failed\n", rep.Failed, rep.Cases)
	g := rep.Groups[0]
	fmt.Println(g.Zone, g.Horizon, g.Class, g.First.Mismatch)
	fmt.Println("encoded", g.First.Event.At.Format(time.RFC3339), "decoded", g.First.Got.At.Format(time.RFC3339))
	// g.First.Diff() shows the same as a go-cmp diff (whose spacing go-cmp
	// deliberately varies, so it is not printed here).
	// Output:
	// 11 of 22 events failed
	// Europe/Berlin 31d transition-1s [instant wall time]
	// encoded 2026-04-29T02:59:59+02:00 decoded 2026-04-28T02:59:59+02:00
}

func ExampleCheckSchedule() {
	ny, _ := schedule.LoadZone("America/New_York")
	// A naive scheduler: time.Date once, then AddDate(0, 0, 1).
	cur := time.Date(2026, 3, 1, 2, 30, 0, 0, ny)
	next := func(after time.Time) time.Time {
		for !cur.After(after) {
			cur = cur.AddDate(0, 0, 1)
		}
		return cur
	}
	rep, err := schedule.CheckSchedule(next, schedule.Daily(ny, 2, 30, 0), schedule.Compatible,
		time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Occurrences, "occurrences,", rep.Count(schedule.WrongTime), "at the wrong time")
	fmt.Println(rep.Findings[0])
	// Output:
	// 31 occurrences, 24 at the wrong time
	// wrong-time: slot 2026-03-08T02:30:00 want 2026-03-08T03:30:00-04:00 got 2026-03-08T01:30:00-05:00
}

func ExampleRFC9557() {
	var c schedule.RFC9557
	apia, _ := schedule.LoadZone("Pacific/Apia")
	b, _ := c.Encode(schedule.Event{At: time.Date(2011, 12, 31, 9, 0, 0, 0, apia), Zone: "Pacific/Apia"})
	fmt.Println(string(b))
	ev, _ := c.Decode(b)
	fmt.Println(ev.At.UTC(), ev.Zone)
	// Output:
	// 2011-12-31T09:00:00+14:00[Pacific/Apia]
	// 2011-12-30 19:00:00 +0000 UTC Pacific/Apia
}
