// Package vero replays Vero, 19–20 October 2017: a feature that stored
// scheduled email events in a new database structure, through a third-party
// tool, passed its tests and shipped at 19:25 UTC. Hours later, from about
// midnight UTC, events started failing: the tool mixed the UTC date with the
// customer's local date, which no test written at noon could notice.
//
// With deploysafe the storage codec's test is verify/schedule.Sweep: every
// event round-trips through the codec at each zone's interesting instants
// (transitions, UTC and local midnights) and at many horizons.
package vero

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/verify/schedule"
)

// row is how the new email-log store keeps a scheduled event.
type row struct {
	Created     int64  // Unix seconds when the event was scheduled
	DaysAhead   int32  // calendar days from the day it was scheduled to the send day
	SecondOfDay int32  // local send time, in seconds after local midnight
	Zone        string // the customer's zone
}

// toolCodec is the third-party tool's mapping. Its bug: Encode counts days
// from the UTC date of Created, Decode from the local date of Created.
// The two agree only while the customer's date equals the UTC date.
type toolCodec struct{}

func (toolCodec) Encode(ev schedule.Event) (row, error) {
	loc, err := schedule.LoadZone(ev.Zone)
	if err != nil {
		return row{}, err
	}
	at := ev.At.In(loc)
	today := ev.Created.UTC() // the bug: "today" in UTC
	days := civilDays(at.Date()) - civilDays(today.Date())
	return row{ev.Created.Unix(), int32(days), int32(at.Hour()*3600 + at.Minute()*60 + at.Second()), ev.Zone}, nil
}

func (toolCodec) Decode(r row) (schedule.Event, error) {
	loc, err := schedule.LoadZone(r.Zone)
	if err != nil {
		return schedule.Event{}, err
	}
	y, m, d := time.Unix(r.Created, 0).In(loc).Date() // "today" in the customer's zone
	s := int(r.SecondOfDay)
	at := time.Date(y, m, d+int(r.DaysAhead), s/3600, s/60%60, s%60, 0, loc)
	return schedule.Event{At: at, Zone: r.Zone}, nil
}

func civilDays(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

var customers = []string{"America/New_York", "America/Los_Angeles", "Europe/London"}

// roundTrip stores and reads back one event, as the email-log feature
// does, and reports how far off the send time came back (ok is false when
// it did not come back at all).
func roundTrip(c schedule.Codec[row], ev schedule.Event) (off time.Duration, ok bool) {
	r, err := c.Encode(ev)
	if err != nil {
		return 0, false
	}
	got, err := c.Decode(r)
	if err != nil || got.Zone != ev.Zone {
		return 0, false
	}
	return got.At.Sub(ev.At), true
}

// Replay runs the deploy without and with deploysafe.
func Replay(ctx context.Context, env replay.Env) (replay.Outcome, error) {
	horizons := []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 29 * 24 * time.Hour}
	book := func(now time.Time) (events []schedule.Event, err error) { // what customers schedule at now
		for _, z := range customers {
			loc, err := schedule.LoadZone(z)
			if err != nil {
				return nil, err
			}
			for _, h := range horizons {
				events = append(events, schedule.Event{At: now.Add(h).In(loc), Zone: z, Created: now})
			}
		}
		return events, nil
	}

	// Without, before the deploy: the feature's tests, written and run at noon.
	noon := time.Date(2017, 10, 19, 12, 0, 0, 0, time.UTC)
	tests, err := book(noon)
	if err != nil {
		return replay.Outcome{}, err
	}
	passed := 0
	for _, ev := range tests {
		if off, ok := roundTrip(toolCodec{}, ev); ok && off == 0 {
			passed++
		}
	}
	env.Logf("feature tests at %s: %d/%d round trips ok", noon.Format("15:04 MST"), passed, len(tests))

	// Without, in production: customers schedule events every 5 minutes
	// from the deploy at 19:25 UTC to the second patch at 17:05 UTC.
	deploy := time.Date(2017, 10, 19, 19, 25, 0, 0, time.UTC)
	var total, lost, dayOff int
	var firstLost time.Time
	for now := deploy; now.Before(time.Date(2017, 10, 20, 17, 5, 0, 0, time.UTC)); now = now.Add(5 * time.Minute) {
		events, err := book(now)
		if err != nil {
			return replay.Outcome{}, err
		}
		for _, ev := range events {
			total++
			off, ok := roundTrip(toolCodec{}, ev)
			if !ok || off != 0 {
				if lost++; firstLost.IsZero() {
					firstLost = now
				}
			}
			if off == 24*time.Hour || off == -24*time.Hour {
				dayOff++
			}
		}
	}
	if passed != len(tests) || lost == 0 {
		return replay.Outcome{}, errors.New("the incident did not reproduce")
	}
	env.Logf("production: %d of %d events came back wrong, %d of them exactly a day off", lost, total, dayOff)
	env.Printf("without: tests %d/%d ok at noon; from %s, %s after the deploy, %d/%d events misdated",
		passed, len(tests), firstLost.Format("15:04 MST"), strings.TrimSuffix(firstLost.Sub(deploy).String(), "0s"), lost, total)

	// With: the codec's test sweeps it before the deploy. The control run
	// on a correct codec shows the sweep passes when nothing is wrong.
	opts := []schedule.SweepOption{
		schedule.Zones(slices.Concat(customers, []string{"Australia/Melbourne", "Asia/Kolkata", "Pacific/Apia"})...),
		schedule.Window(time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)),
	}
	control, err := schedule.Sweep(ctx, schedule.RFC9557(), opts...)
	if err != nil {
		return replay.Outcome{}, fmt.Errorf("sweep of the correct codec failed: %w", err)
	}
	rep, sweepErr := schedule.Sweep(ctx, toolCodec{}, opts...)
	if sweepErr != nil && !errors.Is(sweepErr, schedule.ErrRoundTrip) {
		return replay.Outcome{}, sweepErr
	}
	env.Logf("sweep of RFC 9557 text (control): %d cases, %d failed", control.Cases, control.Failed)
	byClass := map[string]int{}
	for _, g := range rep.Groups {
		byClass[g.Class] += g.Count
	}
	env.Logf("sweep of the tool's codec: %d zones, %d cases, %d failed; failures by class of now: %v",
		rep.Zones, rep.Cases, rep.Failed, byClass)
	var utcMidnight *schedule.FailureGroup
	for i, g := range rep.Groups {
		if g.Class == "utc-midnight" && utcMidnight == nil {
			utcMidnight = &rep.Groups[i]
		}
	}
	if utcMidnight == nil {
		return replay.Outcome{Without: fmt.Sprintf("tests green; %d events misdated", lost), With: "Sweep found no UTC-midnight failure"}, nil
	}
	c := utcMidnight
	env.Logf("smallest case: now %s, event %s in %s: %s", c.Event.Created.Format(time.RFC3339), c.Event.At.Format(time.RFC3339), c.Zone, c.Mismatch)
	env.Printf("with:    schedule.Sweep: %d/%d events fail; e.g. %s at 00:00 UTC: sent %s, not %s",
		rep.Failed, rep.Cases, utcMidnight.Zone, c.Got.At.Format("Jan 2"), c.Event.At.Format("Jan 2"))

	return replay.Outcome{
		Without: fmt.Sprintf("tests green; %d events misdated", lost),
		With:    fmt.Sprintf("Sweep: %d fail, from UTC midnight", rep.Failed),
		Caught:  errors.Is(sweepErr, schedule.ErrRoundTrip),
	}, nil
}
