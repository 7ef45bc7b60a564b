package rollout_test

import (
	"errors"
	"testing"
	"time"

	"github.com/deploysafe/deploysafe/rollout"
)

// TestGateErrorMessages: waves are counted from 1 in every message, as in
// the preview.
func TestGateErrorMessages(t *testing.T) {
	base := rollout.GateError{Gate: "health", Phase: "deploy", Wave: 3, Deadline: time.Second, Err: errors.New("503")}
	abandoned, timedOut := base, base
	abandoned.Abandoned, abandoned.Err = true, nil
	timedOut.TimedOut = true
	for _, c := range []struct {
		e    rollout.GateError
		want string
	}{
		{base, `rollout: gate "health" (deploy, wave 3) failed: 503`},
		{timedOut, `rollout: gate "health" (deploy, wave 3) did not pass within its 1s deadline: 503`},
		{abandoned, `rollout: gate "health" (deploy, wave 3) hung: no answer within its 1s deadline; abandoned`},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("GateError.Error() = %q, want %q", got, c.want)
		}
	}
}
