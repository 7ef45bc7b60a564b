package schedule

import "flag"

// quickZones are the zones of the quick sweep: each has a trait that has
// broken codecs (no transitions, a quarter-hour or half-hour offset, a
// 30-minute DST, negative DST, a day skipped, DST starting at midnight, an
// offset with seconds, +14h, a 2h DST) or is one of the most used.
var quickZones = []string{
	"UTC", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Europe/Dublin", "Pacific/Apia",
	"America/Sao_Paulo", "Africa/Monrovia", "Pacific/Kiritimati", "Antarctica/Troll", "Africa/Casablanca",
	"America/St_Johns", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Tokyo",
}

// quick is the quick sweep: quickZones instead of every zone, unless the
// caller names zones.
func quick() SweepOption {
	return sweepOption(func(c *sweepConfig) error {
		c.quick = true
		return nil
	})
}

// testShort reports whether the test binary runs with -short, without
// importing package testing into the library.
func testShort() bool {
	f := flag.Lookup("test.short")
	return f != nil && f.Value.String() == "true"
}
