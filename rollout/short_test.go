package rollout

import "testing"

// Fingerprints are shortened past 16 characters, never at 16.
func TestShortFingerprint(t *testing.T) {
	fp := "0123456789abcdef"
	if got := short(fp); got != fp {
		t.Errorf("short of 16 characters = %q", got)
	}
	if got := short(fp + "0"); got != fp+"…" {
		t.Errorf("short of 17 characters = %q", got)
	}
}
