package rollout

// OpenFileJournal opens the file journal that FileJournal uses, for tests
// that wrap it to die at an append.
func OpenFileJournal(path string) (*fileJournal, error) { return openFileJournal(path) }

// Frame is rec as the file journal frames it on disk.
func Frame(rec []byte) ([]byte, error) { return appendFrame(nil, rec) }
