package schedule_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing/fstest"
	"time"

	"github.com/deploysafe/deploysafe/verify/schedule"
)

// Germany abolishes DST: Berlin's new rules are +01:00 all year. Events
// stored for summer 2027 as "09:00 at +02:00" no longer show 09:00 at that
// instant; each policy says what to keep.
func ExampleRezone() {
	newRules := fstest.MapFS{"Europe/Berlin": {Data: fixedTZif("CET", 3600)}}
	cest := time.FixedZone("CEST", 2*3600)
	stored := []schedule.Event{
		{At: time.Date(2027, 1, 15, 9, 0, 0, 0, time.FixedZone("CET", 3600)), Zone: "Europe/Berlin"}, // unaffected
		{At: time.Date(2027, 7, 1, 9, 0, 0, 0, cest), Zone: "Europe/Berlin"},
	}
	for _, p := range []schedule.Policy{schedule.UseOffset, schedule.PreferOffset, schedule.Reject} {
		moves, err := schedule.Rezone(stored, newRules, p)
		for _, m := range moves {
			if m.Err != nil {
				fmt.Printf("%s: event %d rejected: %v\n", p, m.Index, errors.Is(m.Err, schedule.ErrOffset))
				continue
			}
			fmt.Printf("%s: event %d %s → %s\n", p, m.Index, m.Stored.At.Format(time.RFC3339), m.Resolved.At.Format(time.RFC3339))
		}
		_ = err // joins the rejections
	}
	// Output:
	// use-offset: event 1 2027-07-01T09:00:00+02:00 → 2027-07-01T08:00:00+01:00
	// prefer-offset: event 1 2027-07-01T09:00:00+02:00 → 2027-07-01T09:00:00+01:00
	// reject: event 1 rejected: true
}

// fixedTZif writes a version-1 TZif file with a single zone state and no
// transitions, the tzdata of a zone that keeps one offset for ever.
func fixedTZif(abbrev string, offset int32) []byte {
	b := append([]byte("TZif"), make([]byte, 16)...) // magic, version 0, unused
	for _, n := range []uint32{0, 0, 0, 0, 1, uint32(len(abbrev) + 1)} {
		b = binary.BigEndian.AppendUint32(b, n) // isut, isstd, leap, time, type, char counts
	}
	b = binary.BigEndian.AppendUint32(b, uint32(offset))
	b = append(b, 0, 0) // not DST, abbreviation at 0
	return append(append(b, abbrev...), 0)
}
