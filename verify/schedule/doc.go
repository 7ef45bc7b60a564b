// Package schedule finds the time zone bugs in scheduled events before a
// deploy does: wall times in DST gaps and overlaps, codecs that lose the zone,
// the range or the sub-second part, and schedulers that skip or double
// occurrences.
//
// The main use is a test that round-trips events through your storage
// layer's codec for every zone, at every interesting "now" from 1970 to
// 2040 and at horizons from 0 to 100 years:
//
//	func TestStorageKeepsEvents(t *testing.T) {
//		schedule.SweepT(t, myCodec) // all zones, all horizons, 1970–2040
//	}
//
// Storage coarser than nanoseconds (PostgreSQL timestamptz keeps
// microseconds) is swept with Precision(time.Microsecond): only instants
// such a codec can hold are tried, and anything it loses beyond that still
// fails.
//
// SweepT fails the test with each failing group's smallest case and a
// go-cmp diff; Sweep returns the *SweepReport for callers that decide
// themselves.
//
// # What a sweep tries, and what it costs
//
// For each zone, the "now" values are the window start; every transition,
// the seconds either side of it and the UTC and local midnights around it;
// and, for every zone with or without transitions, in 2000, 2024 and
// 2037, the last second and first instant of each local month and year,
// 29 February, UTC and local midnights with the seconds either side, the
// int32 limit 2038-01-19T03:14:07Z ±1s, and nows 1 ns, 1 µs, 1 ms and
// 0.123456789 s past the second (so that a codec that drops part of the
// second fails at horizon 0, not only at 100 years). For each now, one
// event per horizon: 0, 1s, 1h, 23h59m59s, 24h, 29d, 30d−1s, 30d, 30d+1s,
// 31d, 90d, 365d, the int32 limit and a second either side, 10 and 100
// calendar years.
//
// The full default sweep is 598 zones, about 237,000 nows and 4.0 million
// events; through RFC9557 it costs about 2.5 CPU-seconds, about 1.2 s on
// two cores. A codec's own cost adds 4 million times: a codec that calls
// time.LoadLocation on every decode takes minutes, so load zones with
// LoadZone, which caches. Under go test -short, SweepT runs the quick
// sweep: 16 zones chosen for their traits (UTC and Asia/Kolkata without
// transitions, quarter- and half-hour offsets, a skipped day, negative
// DST, +14h …), 123,000 events, 1/33 of the work.
//
// # Resolving wall times
//
// time.Date silently normalizes a wall time in a gap or overlap, and which
// way it goes depends on the zone (New York's 02:30 on the spring-forward
// day becomes 01:30 EST, Berlin's becomes 03:30 CEST). Resolve takes an
// explicit Policy with TC39 Temporal's meanings (Compatible, Earlier, Later,
// Reject); under Reject a gap or overlap is a *LocalTimeError naming the
// zone, the wall time and both offsets. Instants lists the instants worth
// testing "now"-dependent code at. Transitions are found with
// time.Time.ZoneBounds, guarded against golang/go#81583 (an end before the
// instant asked about, on 31 December with Go's zoneinfo.zip): every probe
// is strictly later than the last.
//
// # Codecs, schedulers, single events
//
// Sweep takes any Codec[R]; RFC9557 returns a correct one
// (2026-03-29T03:30:00+02:00[Europe/Berlin]). CheckScheduler walks a
// scheduler's next function against a Rule (daily, monthly, or on given
// Weekdays, at a local time) and reports skipped, doubled, wrong-time and
// unexpected occurrences; it also calls next from instants the scheduler
// never returns (±1 ns, local midnight, transitions, UTC); the SkipGap policy is the one most cron
// implementations document (a time in a gap does not happen that day, one
// in an overlap happens once). A Validator checks one event before it is saved (zone
// loadable, wall time resolvable under the policy, horizon, storage range)
// and, with Daily, an "every day at HH:MM local" rule over its horizon.
//
// # Zone data
//
// LoadZone uses time.LoadLocation, so zone data comes from $ZONEINFO, the
// system's tzdata, Go's zoneinfo.zip, and last any copy embedded in the
// binary. This package does not import time/tzdata: that would add about
// 450 KB to every program that imports it. Programs that run where system
// tzdata may be missing (scratch containers) should add, in package main,
//
//	import _ "time/tzdata"
//
// or the equivalent github.com/deploysafe/deploysafe/verify/schedule/tzdata.
// ZoneNames lists zone names from the files (or, where there are none, the
// known names that load). TZData sweeps another zone database (a
// zoneinfo.zip or directory).
//
// # Stored events and new zone rules
//
// Zone rules change (a country drops DST, a tzdata release corrects the
// past), and events stored as a wall time with its offset then no longer
// agree with the zone. Rezone reads the new rules (a newer zoneinfo.zip,
// the system's directory) and reports every stored event whose instant or
// wall time would move, resolved by a policy after TC39 Temporal's offset
// option: UseOffset keeps the instant, PreferOffset keeps the offset while
// it is valid, Compatible, Earlier and Later keep the wall time, Reject
// refuses. Go's zoneinfo.zip and the system's tzdata often differ: Go
// 1.26's is 2025c with backzone, under which Tijuana kept DST in 1970–1975.
//
// # Time in tests
//
// Nothing here needs a fake clock. A Validator reads time.Now (or the
// function given with Clock), and under testing/synctest (Go 1.25+)
// time.Now inside the bubble is fake, starting at 2000-01-01T00:00:00Z, and
// time.Sleep jumps forward at once:
//
//	synctest.Test(t, func(t *testing.T) {
//		v, _ := schedule.NewValidator(schedule.Reject)
//		time.Sleep(time.Until(transition.Add(-time.Second))) // instant, no real wait
//		_, err := v.Validate("Europe/Berlin", wall)
//		…
//	})
//
// The bubble does not fake time.Local, and t.Run and t.Parallel are not
// allowed inside it; load zones by name and keep subtests outside.
package schedule
