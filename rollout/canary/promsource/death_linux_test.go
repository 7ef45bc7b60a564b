package promsource_test

import (
	"os/exec"
	"syscall"
)

// setDeathSignal kills the child when the test binary dies (a -timeout
// panic, a kill): no Prometheus is left behind.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
