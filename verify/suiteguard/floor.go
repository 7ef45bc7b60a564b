package suiteguard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// ReadFloor reads the fewest passing tests a run may report. The file holds
// one integer; lines starting with # are comments. A missing file is no floor.
func ReadFloor(path string) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("suiteguard: floor file: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n, err := strconv.Atoi(line)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("suiteguard: floor file %s: want a non-negative integer, got %q", path, line)
		}
		return n, nil
	}
	return 0, fmt.Errorf("suiteguard: floor file %s holds no number", path)
}

// WriteFloor records n atomically, so a crash never leaves an empty floor
// (which would silently disable the check).
func WriteFloor(path string, n int) error {
	tmp := path + ".tmp"
	body := fmt.Sprintf("# Fewest passing tests CI accepts (suiteguard -floor). Raise it with -write-floor.\n%d\n", n)
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		return fmt.Errorf("suiteguard: writing floor: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("suiteguard: writing floor: %w", err)
	}
	return nil
}
