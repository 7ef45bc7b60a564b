package schedule

import (
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Move is a stored event that new zone rules move or reject.
type Move struct {
	Index    int   // position in the events given to Rezone
	Stored   Event // the event as given
	Resolved Event // the event under the new rules and the policy; zero when Err is set
	// Err is set when the policy rejects the event (wrapping ErrOffset) or
	// the new rules lack its zone (ErrUnknownZone).
	Err error
}

// Rezone checks stored future events against new zone rules (a newer
// tzdata, or the system's where the events were stored with Go's
// zoneinfo.zip) and reports every event whose instant or wall time the
// new rules would move, resolved by policy p.
//
// Each event's At is what was stored: its wall time and UTC offset in
// its Location, and so its instant. Store "wall + zone + offset" as
// time.Date(wall…, time.FixedZone("", offset)), or an instant in the zone
// as loaded then. Zone names the zone, read from rules: a zoneinfo
// directory (os.DirFS("/usr/share/zoneinfo")) or a zoneinfo.zip
// (zip.NewReader). An event the new rules give the same offset at its
// instant does not move. For the others, p decides, as TC39 Temporal's
// offset option does:
//
//   - UseOffset keeps the instant; the wall time moves.
//   - PreferOffset keeps the stored offset when it is still one the new
//     rules give for the wall time; otherwise the wall time is resolved
//     as Compatible, and the instant moves.
//   - Compatible, Earlier or Later ignore the offset: the wall time is
//     resolved under the new rules with that policy. This can move an
//     event the rules did not change, at the later reading of an overlap.
//   - Reject reports each event whose offset no longer matches, with an
//     error wrapping ErrOffset.
//
// The moves are in the order of events. The error joins the moves'
// errors; it is bad input (nil rules, an unknown policy) otherwise, with
// no moves.
func Rezone(events []Event, rules fs.FS, p Policy) ([]Move, error) {
	if rules == nil {
		return nil, badInput("Rezone: nil rules")
	}
	switch p {
	case "":
		p = Compatible
	case UseOffset, PreferOffset, Compatible, Earlier, Later, Reject:
	default:
		return nil, badInput("Rezone: unknown policy %q", string(p))
	}
	db := &tzdb{fsys: rules, where: fmt.Sprintf("the new rules (%T)", rules)}
	var moves []Move
	var errs []error
	for i, ev := range events {
		m, moved := rezone(db, ev, p)
		if !moved {
			continue
		}
		m.Index = i
		if m.Err != nil {
			m.Err = fmt.Errorf("schedule: event %d (%s in %s): %w", i, ev.At.Format(time.RFC3339Nano), ev.Zone, m.Err)
			errs = append(errs, m.Err)
		}
		moves = append(moves, m)
	}
	return moves, errors.Join(errs...)
}

// rezone resolves one stored event under the new rules.
func rezone(db *tzdb, ev Event, p Policy) (m Move, moved bool) {
	m.Stored = ev
	loc, err := db.load(ev.Zone)
	if err != nil {
		m.Err = err
		return m, true
	}
	_, stored := ev.At.Zone()
	kept := ev.At.In(loc)
	_, now := kept.Zone()
	valid := now == stored // the stored offset still shows the stored wall time at the stored instant
	w := wallOf(ev.At)
	var at time.Time
	switch {
	case p == UseOffset || (valid && (p == PreferOffset || p == Reject)):
		at = kept
	case p == Reject:
		m.Err = fmt.Errorf("%w: stored offset %s, the new rules give %s for %s", ErrOffset,
			offsetOf(ev.At), offsetOf(kept), w)
		return m, true
	default: // PreferOffset with an invalid offset, Compatible, Earlier, Later
		if p == PreferOffset {
			p = Compatible
		}
		if at, err = Resolve(w, loc, p); err != nil {
			m.Err = err
			return m, true
		}
	}
	m.Resolved = Event{At: at, Zone: ev.Zone, Created: ev.Created}
	return m, !at.Equal(ev.At) || wallOf(at) != w
}
