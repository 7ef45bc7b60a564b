package verify_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Checks run rapid on a goroutine of their own: prove none outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
