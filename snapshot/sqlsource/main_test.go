package sqlsource

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(restoreChildEnv); spec != "" {
		if err := restoreChild(spec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if benchStores.dir != "" {
			os.RemoveAll(benchStores.dir)
		}
		os.Exit(code)
	}))
}
