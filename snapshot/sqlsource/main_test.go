package sqlsource

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if benchStores.dir != "" {
			os.RemoveAll(benchStores.dir)
		}
		os.Exit(code)
	}))
}
