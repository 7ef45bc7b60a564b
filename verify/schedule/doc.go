// Package schedule finds the time zone bugs in scheduled events before a
// deploy does: wall times in DST gaps and overlaps, codecs that lose the zone
// or the range, and schedulers that skip or double occurrences.
//
// The main use is a test that round-trips events through your storage
// layer's codec for every zone, every transition from 1970 to 2040 and
// horizons from 0 to 100 years:
//
//	func TestStorageKeepsEvents(t *testing.T) {
//		schedule.SweepT(t, myCodec) // all zones, DefaultHorizons, DefaultWindow
//	}
//
// SweepT fails the test with each failing group's smallest case and a
// go-cmp diff; Sweep returns the *SweepReport for callers that decide
// themselves.
//
// # Resolving wall times
//
// time.Date silently normalizes a wall time in a gap or overlap, and which
// way it goes depends on the zone (New York's 02:30 on the spring-forward
// day becomes 01:30 EST, Berlin's becomes 03:30 CEST). Resolve takes an
// explicit Policy with TC39 Temporal's meanings (Compatible, Earlier, Later,
// Reject); under Reject a gap or overlap is a *LocalTimeError naming the
// zone, the wall time and both offsets. Transitions lists a zone's changes
// in a window, and Instants the instants worth testing "now" at.
// Transitions are found with time.Time.ZoneBounds, guarded against
// golang/go#81583 (an end before the instant asked about, on 31 December
// with Go's zoneinfo.zip): every probe is strictly later than the last.
//
// # Codecs, schedulers, single events
//
// Sweep takes any Codec[R]; RFC9557 is a correct one
// (2026-03-29T03:30:00+02:00[Europe/Berlin]). CheckSchedule walks a
// scheduler's next function against a Daily or Monthly Rule and reports
// Skipped, Doubled, WrongTime and Unexpected occurrences. A Validator checks
// one event before it is saved: zone loadable, wall time resolvable under
// the policy, horizon, and storage Range (Int32Seconds, Int64Millis,
// RFC3339Years).
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
// Zones lists zone names from the files; it cannot list an embedded copy.
//
// # Clocks and testing/synctest
//
// Code that validates against "now" should take a Clock. AsOf runs a check
// with a Fixed clock at each interesting instant of a zone, without
// sleeping. Under testing/synctest (Go 1.25+), time.Now inside the bubble
// is fake and starts at 2000-01-01T00:00:00Z, so SystemClock() follows it
// and time.Sleep jumps forward at once:
//
//	synctest.Test(t, func(t *testing.T) {
//		v, _ := schedule.NewValidator(schedule.WithClock(schedule.SystemClock()))
//		time.Sleep(time.Until(transition.Add(-time.Second))) // instant, no real wait
//		_, err := v.Validate("Europe/Berlin", wall)
//		…
//	})
//
// The bubble does not fake time.Local, and t.Run and t.Parallel are not
// allowed inside it; load zones by name and keep subtests outside.
package schedule
