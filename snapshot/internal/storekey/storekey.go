// Package storekey is the one definition of a valid snapshot Store key,
// shared by every Store implementation of the module and by storetest.
package storekey

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"
)

// The Store sentinels, exported by snapshot as ErrInvalidKey, ErrExist and
// ErrNotExist.
var (
	ErrInvalid  = errors.New("snapshot: invalid key")
	ErrExist    = errors.New("snapshot: key already exists")
	ErrNotExist = errors.New("snapshot: key does not exist")
)

// Check returns an error wrapping [ErrInvalid] unless key is a valid Store
// key: non-empty, slash-separated, relative, clean (no ".", ".." or empty
// elements, no trailing slash), valid UTF-8, without backslashes, NUL bytes
// or "__0x" (gocloud.dev/blob's escape marker: S3 would list "a__0x41__" as
// "aA"). Every Store applies it, so a key that works on one store works on all.
func Check(key string) error {
	var why string
	switch {
	case key == "":
		why = "empty"
	case strings.HasPrefix(key, "/"):
		why = "absolute"
	case strings.ContainsRune(key, '\\'):
		why = "contains a backslash"
	case strings.ContainsRune(key, 0):
		why = "contains a NUL byte"
	case !utf8.ValidString(key):
		why = "not valid UTF-8"
	case !fs.ValidPath(key) || key == ".":
		why = "not a clean relative path"
	case strings.Contains(key, "__0x"):
		why = `contains "__0x", the escape marker of gocloud.dev/blob`
	default:
		return nil
	}
	return fmt.Errorf("%w %q: %s", ErrInvalid, key, why)
}
