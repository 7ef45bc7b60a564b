package sqlsource

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"slices"
	"strings"
)

// wantRows is a partition as the snapshot has it, COPY TEXT lines, each
// marked once a live row is found identical to it. Up to the Source's
// in-memory bound the bytes are held in memory; a larger partition is
// spooled to an unlinked temporary file (nothing is left behind, even
// after a kill), and memory keeps 24 bytes per row: where each line ends,
// and its 64-bit hash with its index, sorted for lookup. A spooled line
// is matched by its hash alone: a collision could only make a damaged row
// look intact, and the re-dump's SHA-256, which decides every commit, would
// then refuse the restore.
type wantRows struct {
	mem   string   // every byte, when held in memory
	spool *os.File // otherwise
	ends  []int64  // ends[i]: offset just past line i (its newline, if any)
	index []lineHash
	kept  []bool
	seed  maphash.Seed
	sum   [sha256.Size]byte // of the bytes, as read
}

type lineHash struct {
	h uint64
	i int
}

// readWant reads all of r: into memory if it holds at most limit bytes,
// otherwise into a temporary file in os.TempDir.
func readWant(r io.Reader, limit int64) (*wantRows, error) {
	// A strings.Builder hands its bytes over as a string without a copy:
	// every line is a substring of it.
	var b strings.Builder
	if l, ok := r.(interface{ Len() int }); ok && l.Len() > 0 && int64(l.Len()) <= limit {
		// A size hint (bytes.Reader, the snapshot's partition reader):
		// one allocation instead of a buffer regrown and copied ~log n times.
		b.Grow(l.Len())
	}
	h := sha256.New()
	n, err := io.Copy(&b, io.TeeReader(io.LimitReader(r, limit+1), h))
	if err != nil {
		return nil, err
	}
	w := &wantRows{seed: maphash.MakeSeed()}
	if n <= limit {
		w.mem = b.String()
		h.Sum(w.sum[:0])
		w.indexLines(strings.NewReader(w.mem))
		return w, nil
	}
	if w.spool, err = os.CreateTemp("", "deploysafe-restore-*"); err != nil {
		return nil, fmt.Errorf("spool the snapshot's rows: %w", err)
	}
	os.Remove(w.spool.Name()) // unlinked: the file lives as long as it is open
	bw := bufio.NewWriterSize(w.spool, 1<<20)
	if _, err := io.WriteString(bw, b.String()); err != nil {
		w.close()
		return nil, fmt.Errorf("spool the snapshot's rows: %w", err)
	}
	if _, err := io.Copy(bw, io.TeeReader(r, h)); err != nil {
		w.close()
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		w.close()
		return nil, fmt.Errorf("spool the snapshot's rows: %w", err)
	}
	h.Sum(w.sum[:0])
	if err := w.indexLines(io.NewSectionReader(w.spool, 0, 1<<62)); err != nil {
		w.close()
		return nil, fmt.Errorf("spool the snapshot's rows: %w", err)
	}
	return w, nil
}

// indexLines records where each line of r ends and its hash.
func (w *wantRows) indexLines(r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	var off int64
	for {
		l, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: gather it.
			long := append([]byte(nil), l...)
			for errors.Is(err, bufio.ErrBufferFull) {
				l, err = br.ReadSlice('\n')
				long = append(long, l...)
			}
			l = long
		}
		if len(l) > 0 {
			off += int64(len(l))
			w.index = append(w.index, lineHash{maphash.Bytes(w.seed, bytes.TrimSuffix(l, []byte{'\n'})), len(w.ends)})
			w.ends = append(w.ends, off)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	slices.SortFunc(w.index, func(a, b lineHash) int {
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		}
		return a.i - b.i
	})
	w.kept = make([]bool, len(w.ends))
	return nil
}

// close removes the spool, if any.
func (w *wantRows) close() {
	if w != nil && w.spool != nil {
		w.spool.Close()
	}
}

func (w *wantRows) count() int { return len(w.ends) }

// start is where line i begins.
func (w *wantRows) start(i int) int64 {
	if i == 0 {
		return 0
	}
	return w.ends[i-1]
}

// line returns line i without its newline.
func (w *wantRows) line(i int) (string, error) {
	s, e := w.start(i), w.ends[i]
	if w.spool == nil {
		return strings.TrimSuffix(w.mem[s:e], "\n"), nil
	}
	buf := make([]byte, e-s)
	if _, err := w.spool.ReadAt(buf, s); err != nil {
		return "", fmt.Errorf("read the spooled rows: %w", err)
	}
	return string(bytes.TrimSuffix(buf, []byte{'\n'})), nil
}

// match marks the first unmatched snapshot line equal to l (for a spooled
// partition: of l's hash) and says whether there was one.
func (w *wantRows) match(l []byte) bool {
	h := maphash.Bytes(w.seed, l)
	k, _ := slices.BinarySearchFunc(w.index, h, func(e lineHash, h uint64) int {
		switch {
		case e.h < h:
			return -1
		case e.h > h:
			return 1
		}
		return 0
	})
	for ; k < len(w.index) && w.index[k].h == h; k++ {
		i := w.index[k].i
		if w.kept[i] {
			continue
		}
		if w.spool == nil && strings.TrimSuffix(w.mem[w.start(i):w.ends[i]], "\n") != string(l) {
			continue // a hash collision: not this line
		}
		w.kept[i] = true
		return true
	}
	return false
}

// rows returns the snapshot's lines that no live row matched (or every
// line, if all is set) as COPY TEXT, and how many bytes that is.
func (w *wantRows) rows(all bool) (io.Reader, int64) {
	if all {
		if w.spool == nil {
			return strings.NewReader(w.mem), int64(len(w.mem))
		}
		n := w.ends[len(w.ends)-1:]
		size := int64(0)
		if len(n) > 0 {
			size = n[0]
		}
		return io.NewSectionReader(w.spool, 0, size), size
	}
	var readers []io.Reader
	var size int64
	for i := 0; i < len(w.ends); i++ {
		if w.kept[i] {
			continue
		}
		j := i
		for j < len(w.ends) && !w.kept[j] {
			j++
		}
		s, e := w.start(i), w.ends[j-1]
		size += e - s
		if w.spool == nil {
			readers = append(readers, strings.NewReader(w.mem[s:e]))
		} else {
			readers = append(readers, io.NewSectionReader(w.spool, s, e-s))
		}
		if e > s && w.lastByte(e) != '\n' {
			readers = append(readers, strings.NewReader("\n"))
		}
		i = j
	}
	return io.MultiReader(readers...), size
}

// lastByte is the byte before offset e.
func (w *wantRows) lastByte(e int64) byte {
	if w.spool == nil {
		return w.mem[e-1]
	}
	var b [1]byte
	w.spool.ReadAt(b[:], e-1)
	return b[0]
}
