package snapshot

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test of package snapshot (internal or external)
// leaves a goroutine running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
