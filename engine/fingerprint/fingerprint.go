// Package fingerprint knows a file by its content, not by its name or
// modification time, cheaply: a fingerprint reads at most 1 MiB of a
// file, whatever its size. The library reuses results by fingerprint, so a
// moved, renamed, copied or touched file is not scanned again.
//
// Version 1, pinned so that stored fingerprints stay comparable: SHA-256
// over the file's size (8 bytes, big-endian) followed by 16 samples of
// 64 KiB at offsets ⌊i·(size − 64 KiB)/15⌋ for i = 0…15, or followed by
// the whole file when it is under 1 MiB. It is written "v1:" and 64
// lowercase hex digits; a later version gets a new prefix and never
// equals a version 1 value.
package fingerprint

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Version is the fingerprint version this build computes.
const Version = 1

const (
	sampleSize = 64 << 10
	samples    = 16
	wholeBelow = 1 << 20 // files under this size are hashed whole
)

// ErrChanged is returned when the file's size or modification time
// changed while it was read: it is still being written, most likely.
var ErrChanged = errors.New("the file changed while it was read (still being written?)")

// Stat is what a fingerprint was taken of: the file's size and
// modification time (nanoseconds) when it was read.
type Stat struct {
	Size    int64
	ModTime int64
}

// StatOf reads the Stat of a file's info.
func StatOf(fi os.FileInfo) Stat { return Stat{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()} }

// Of fingerprints the regular file at path. It refuses anything else
// (a FIFO is never opened for reading, so it cannot block), and fails
// with ErrChanged when the file changes while it is read.
func Of(path string) (string, Stat, error) {
	before, err := os.Stat(path)
	if err != nil {
		return "", Stat{}, err
	}
	if !before.Mode().IsRegular() {
		return "", Stat{}, fmt.Errorf("not a regular file (%s)", before.Mode().Type())
	}
	// O_NONBLOCK: should a FIFO take the file's place after the Stat,
	// opening it does not wait for a writer; the Fstat below refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", Stat{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", Stat{}, err
	}
	if !fi.Mode().IsRegular() {
		return "", Stat{}, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	st := StatOf(fi)
	if st != StatOf(before) {
		return "", Stat{}, ErrChanged
	}
	fp, err := read(f, st.Size)
	if err != nil {
		return "", Stat{}, err
	}
	afterRead(path)
	after, err := os.Stat(path) // by path: a file replaced meanwhile counts as changed
	if err != nil {
		return "", Stat{}, err
	}
	if StatOf(after) != st {
		return "", Stat{}, ErrChanged
	}
	return fp, st, nil
}

// afterRead runs between reading a file and checking it did not change
// meanwhile (tests change the file there).
var afterRead = func(string) {}

// Offsets are where version 1 reads its samples in a file of size bytes
// (nil: the whole file is read).
func Offsets(size int64) []int64 {
	if size < wholeBelow {
		return nil
	}
	out := make([]int64, samples)
	for i := range out {
		out[i] = int64(i) * (size - sampleSize) / (samples - 1)
	}
	return out
}

// read hashes an open file of the given size as version 1.
func read(r io.ReaderAt, size int64) (string, error) {
	h := sha256.New()
	var head [8]byte
	binary.BigEndian.PutUint64(head[:], uint64(size))
	h.Write(head[:])
	offsets := Offsets(size)
	if offsets == nil {
		if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
			return "", err
		}
	} else {
		buf := make([]byte, sampleSize)
		for _, off := range offsets {
			if _, err := r.ReadAt(buf, off); err != nil {
				if errors.Is(err, io.EOF) {
					return "", ErrChanged // shorter than it said: truncated while read
				}
				return "", err
			}
			h.Write(buf)
		}
	}
	return "v1:" + hex.EncodeToString(h.Sum(nil)), nil
}
