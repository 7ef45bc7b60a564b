//go:build unix

package snapshot

import (
	"os"
	"syscall"
)

// tryLock takes an exclusive flock on f without waiting: it fails while
// another open file (in this process or another) holds it.
func tryLock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }
