package suiteguard_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/deploysafe/deploysafe/verify/suiteguard"
)

// A suite whose only real check was skipped is not green in CI.
func Example() {
	stream := strings.NewReader(`{"Action":"start","Package":"shop/schema"}
{"Action":"run","Package":"shop/schema","Test":"TestPartialSchema"}
{"Action":"skip","Package":"shop/schema","Test":"TestPartialSchema"}
{"Action":"pass","Package":"shop/schema"}
`)
	sum := suiteguard.Check(stream, io.Discard, suiteguard.Options{CI: true})
	fmt.Println(sum)
	for _, p := range sum.Problems {
		fmt.Println(p)
	}
	// Output:
	// suiteguard: 0 passed, 0 failed, 1 skipped
	// no test passed: all 1 were skipped
	// shop/schema.TestPartialSchema was skipped in CI (allow it in the allow-file with a reason, or make CI provide what it needs)
}
