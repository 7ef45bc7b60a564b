package affected_test

import (
	"testing"

	"go.uber.org/goleak"
)

// GoList starts the go command (and os/exec's copying goroutines): prove
// that nothing outlives the call.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
