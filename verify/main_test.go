package verify_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/deploysafe/deploysafe/verify"
)

// Checks run rapid on a goroutine of their own: prove none outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// must fails t with err, as the …T wrappers do for the generated checks.
func must(t verify.TB, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%v", err)
	}
}
