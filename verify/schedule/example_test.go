package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"math"
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

// cappedDays is a storage layer that keeps "days from now" in a field
// capped at 30, as in the incident that motivated this package.
type cappedDays struct{}

type daysFromNow struct{ Created, Days, Rest int64 }

const day = 24 * time.Hour

func (cappedDays) Encode(ev schedule.Event) (daysFromNow, error) {
	d := ev.At.Sub(ev.Created)
	return daysFromNow{ev.Created.Unix(), min(int64(d/day), 30), int64(d % day)}, nil
}

func (cappedDays) Decode(r daysFromNow) (schedule.Event, error) {
	at := time.Unix(r.Created, 0).Add(time.Duration(r.Days)*day + time.Duration(r.Rest))
	berlin, err := schedule.LoadZone("Europe/Berlin")
	return schedule.Event{At: at.In(berlin), Zone: "Europe/Berlin"}, err
}

func ExampleSweep() {
	rep, err := schedule.Sweep(context.Background(), cappedDays{},
		schedule.Zones("Europe/Berlin"),
		schedule.Window(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)),
		schedule.Horizons(schedule.Horizon{After: 30 * day}, schedule.Horizon{After: 31 * day}))
	if !errors.Is(err, schedule.ErrRoundTrip) {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d of %d events failed\n", rep.Failed, rep.Cases)
	g := rep.Groups[0]
	fmt.Println(g.Zone, g.Horizon, g.Class, g.Mismatch)
	fmt.Println("encoded", g.Event.At.Format(time.RFC3339), "decoded", g.Got.At.Format(time.RFC3339))
	// err's message shows the same with a go-cmp diff (whose spacing go-cmp
	// deliberately varies, so it is not printed here).
	// Output:
	// 11 of 22 events failed
	// Europe/Berlin 31d transition-1s [instant wall time]
	// encoded 2026-04-29T02:59:59+02:00 decoded 2026-04-28T02:59:59+02:00
}

func ExampleCheckScheduler() {
	ny, _ := schedule.LoadZone("America/New_York")
	// A naive scheduler: time.Date once, then AddDate(0, 0, 1).
	cur := time.Date(2026, 3, 1, 2, 30, 0, 0, ny)
	next := func(after time.Time) time.Time {
		for !cur.After(after) {
			cur = cur.AddDate(0, 0, 1)
		}
		return cur
	}
	rep, err := schedule.CheckScheduler(next, schedule.Rule{Zone: ny, Hour: 2, Minute: 30}, schedule.Compatible,
		time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	if !errors.Is(err, schedule.ErrSchedule) {
		fmt.Println(err)
		return
	}
	wrong := 0
	for _, f := range rep.Findings {
		if f.Kind == "wrong-time" {
			wrong++
		}
	}
	fmt.Println(rep.Occurrences, "occurrences,", wrong, "at the wrong time")
	f := rep.Findings[0]
	fmt.Println(f.Kind+": slot", f.Slot, "want", f.Want.Format(time.RFC3339), "got", f.Got.Format(time.RFC3339))
	// Output:
	// 31 occurrences, 24 at the wrong time
	// wrong-time: slot 2026-03-08T02:30:00 want 2026-03-08T03:30:00-04:00 got 2026-03-08T01:30:00-05:00
}

func ExampleRFC9557() {
	c := schedule.RFC9557()
	apia, _ := schedule.LoadZone("Pacific/Apia")
	b, _ := c.Encode(schedule.Event{At: time.Date(2011, 12, 31, 9, 0, 0, 0, apia), Zone: "Pacific/Apia"})
	fmt.Println(string(b))
	ev, _ := c.Decode(b)
	fmt.Println(ev.At.UTC(), ev.Zone)
	// Output:
	// 2011-12-31T09:00:00+14:00[Pacific/Apia]
	// 2011-12-30 19:00:00 +0000 UTC Pacific/Apia
}

func ExampleValidator() {
	// In production the clock is time.Now (the default); here it is fixed.
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	v, err := schedule.NewValidator(schedule.Reject,
		schedule.Clock(func() time.Time { return now }),
		schedule.MaxHorizon(60*24*time.Hour),
		schedule.Storage(time.Unix(math.MinInt32, 0), time.Unix(math.MaxInt32, 0)))
	if err != nil {
		fmt.Println(err)
		return
	}
	w, err := schedule.ParseWall("2026-02-30T09:00")
	fmt.Println(err)
	w, _ = schedule.ParseWall("2026-03-29T02:30")
	_, err = v.Validate("Europe/Berlin", w)
	fmt.Println(err)
	w, _ = schedule.ParseWall("2026-03-29T09:00")
	ev, _ := v.Validate("Europe/Berlin", w)
	fmt.Println(ev.At.Format(time.RFC3339))
	// A daily job at 02:30 local over the next 60 days.
	evs, err := v.Daily("Europe/Berlin", 2, 30)
	fmt.Println(len(evs), "occurrences;", err)
	// Output:
	// schedule: invalid wall time: day 30 of February 2026 (it has 28 days) (in "2026-02-30T09:00")
	// schedule: rule local-time: schedule: 2026-03-29T02:30:00 in Europe/Berlin does not exist (gap): offset changes from +01:00 (CET) to +02:00 (CEST, DST) at 2026-03-29T01:00:00Z
	// 2026-03-29T09:00:00+02:00
	// 59 occurrences; schedule: rule local-time: schedule: 2026-03-29T02:30:00 in Europe/Berlin does not exist (gap): offset changes from +01:00 (CET) to +02:00 (CEST, DST) at 2026-03-29T01:00:00Z
}
