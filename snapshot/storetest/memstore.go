package storetest

import (
	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/internal/memstore"
)

// NewMemStore returns an empty in-memory [snapshot.Store] that passes
// [TestStore], for tests of code that takes a Store.
func NewMemStore() snapshot.Store { return memstore.New() }
