// Package tzdata embeds the IANA time zone database in the program that
// imports it, so that schedule.LoadZone works on machines without system
// tzdata (scratch containers, some Windows hosts).
//
// Import it for its side effect, in a main package only:
//
//	import _ "github.com/deploysafe/deploysafe/verify/schedule/tzdata"
//
// It is exactly `import _ "time/tzdata"` (about 450 KB added to the
// binary), kept out of package schedule so that importing schedule costs
// nothing for programs that have system tzdata.
package tzdata

import _ "time/tzdata" // registers the embedded database with package time
