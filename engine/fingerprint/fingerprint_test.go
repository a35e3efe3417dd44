package fingerprint

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vidsift/vidsift/internal/testenv"
)

// spec computes version 1 from its definition, reading the whole file.
func spec(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	binary.Write(h, binary.BigEndian, uint64(len(b)))
	if len(b) < 1<<20 {
		h.Write(b)
	} else {
		for i := 0; i < 16; i++ {
			off := i * (len(b) - 65536) / 15
			h.Write(b[off : off+65536])
		}
	}
	return "v1:" + hex.EncodeToString(h.Sum(nil))
}

func of(t *testing.T, path string) string {
	t.Helper()
	fp, st, err := Of(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if st != StatOf(fi) {
		t.Errorf("%s: stat %+v, file has %+v", path, st, StatOf(fi))
	}
	return fp
}

func TestVersion1(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(1))
	for _, size := range []int{0, 1, 65535, 1<<20 - 1, 1 << 20, 1<<20 + 1, 3<<20 + 12345} {
		b := make([]byte, size)
		rng.Read(b)
		p := filepath.Join(dir, "f")
		testenv.WriteFile(t, p, b, 0o644)
		if got, want := of(t, p), spec(t, p); got != want {
			t.Errorf("size %d: %s; the definition gives %s", size, got, want)
		}
	}
	// The last sample ends at the file's end, the first starts at 0.
	if o := Offsets(2 << 20); o[0] != 0 || o[15] != 2<<20-65536 || len(o) != 16 {
		t.Errorf("offsets %v", o)
	}
}

// A fingerprint follows the content, not the name or the times; a change
// that a sample covers, an append and a truncation change it.
func TestContentNotName(t *testing.T) {
	dir := t.TempDir()
	b := make([]byte, 5<<20)
	rand.New(rand.NewSource(2)).Read(b)
	a := filepath.Join(dir, "a.mp4")
	testenv.WriteFile(t, a, b, 0o644)
	fa := of(t, a)

	c := filepath.Join(dir, "sub", "copy with spaces.mp4")
	os.MkdirAll(filepath.Dir(c), 0o755)
	testenv.WriteFile(t, c, b, 0o644)
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(c, old, old)
	if fc := of(t, c); fc != fa {
		t.Errorf("a copy with another name and mtime: %s, want %s", fc, fa)
	}

	changed := map[string][]byte{
		"appended":  append(append([]byte(nil), b...), 0),
		"truncated": b[:len(b)-1],
		"first byte": func() []byte {
			x := append([]byte(nil), b...)
			x[0] ^= 1
			return x
		}(),
		"last byte": func() []byte {
			x := append([]byte(nil), b...)
			x[len(x)-1] ^= 1
			return x
		}(),
	}
	for name, x := range changed {
		testenv.WriteFile(t, c, x, 0o644)
		if of(t, c) == fa {
			t.Errorf("%s: the fingerprint did not change", name)
		}
	}
}

func TestRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.mp4")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Of(fifo); err == nil {
		t.Error("a FIFO was fingerprinted")
	}
	if _, _, err := Of(dir); err == nil {
		t.Error("a folder was fingerprinted")
	}
	if _, _, err := Of(filepath.Join(dir, "gone.mp4")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// A file that changes while it is read is refused, not fingerprinted as
// a mix of its old and new content.
func TestChangedWhileRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "growing.mp4")
	testenv.WriteFile(t, p, make([]byte, 2<<20), 0o644)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	afterRead = func(path string) {
		g, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		g.Write([]byte("more"))
		g.Close()
	}
	_, _, err = Of(p)
	afterRead = func(string) {}
	if !errors.Is(err, ErrChanged) {
		t.Errorf("a file appended to while read: %v, want ErrChanged", err)
	}
	// read sees the file shorter than the size it was given: truncated.
	if _, err := read(f, 3<<20); !errors.Is(err, ErrChanged) {
		t.Errorf("a file shorter than its stat: %v, want ErrChanged", err)
	}
}
