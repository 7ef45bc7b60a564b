package rollout

import (
	"os"

	"github.com/deploysafe/deploysafe/internal/journalfile"
)

// OpenFileJournal opens the file journal that FileJournal uses, for tests
// that wrap it to die at an append.
func OpenFileJournal(path string) (*fileJournal, error) { return openFileJournal(path) }

// Frame is rec as the file journal frames it on disk.
func Frame(rec []byte) ([]byte, error) { return journalfile.Append(nil, rec) }

// JournalKinds reads a file journal and returns "kind target" per record.
func JournalKinds(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	payloads, _, err := journalfile.Decode(data)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range payloads {
		r, err := decodeRecord(p)
		if err != nil {
			return nil, err
		}
		out = append(out, string(r.Kind)+" "+r.Target)
	}
	return out, nil
}
