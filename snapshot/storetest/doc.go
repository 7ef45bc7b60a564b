// Package storetest is a conformance suite that every [snapshot.Store] must pass.
//
// Call it from a test with a constructor that returns a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.TestStore(t, func(t testing.TB) snapshot.Store {
//			s, err := snapshot.NewDirStore(t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// The suite checks put-if-absent under racing writers (exactly one wins),
// that a reader never sees a partial or failed write, missing keys, List order
// and prefixes, idempotent Delete, the key rules of [storekey.Check], large
// values, unusual but valid key characters and context cancellation. A store
// that implements [batch.Batcher] also gets the batch checks: values are
// stored on Commit, existing and repeated keys are ErrExist, Discard leaves
// nothing, a closed batch refuses puts, and racing batch puts have one winner.
package storetest
