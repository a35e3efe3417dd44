// Command gen makes the fixtures the ffmpeg CLI cannot:
//
//	go run ./testdata/gen rotate FILE.mp4 DEGREES   set the video track's display matrix (or "mirror")
//	go run ./testdata/gen random FILE SIZE SEED     write SIZE deterministic pseudo-random bytes
//	go run ./testdata/gen corrupt FILE              scribble over the middle third of FILE
//	go run ./testdata/gen models DIR                write small synthetic YOLO-shaped ONNX detectors
//	go run ./testdata/gen exif FILE.jpg ORIENTATION  add an EXIF Orientation tag, as phones write
//	go run ./testdata/gen subtitles DIR             write subtitle sources and sidecars (subtitles.go)
//
// FFmpeg 5.1's CLI ignores -metadata:s:v rotate=, so the rotated phone-video
// fixture gets its tkhd matrix patched here, as a phone would write it.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 3 && args[0] == "rotate" && args[2] == "mirror" {
		return rotate(args[1], -1)
	}
	if len(args) == 3 && args[0] == "rotate" {
		deg, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		return rotate(args[1], deg)
	}
	if len(args) == 4 && args[0] == "random" {
		size, err1 := strconv.Atoi(args[2])
		seed, err2 := strconv.ParseUint(args[3], 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("random FILE SIZE SEED")
		}
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return os.WriteFile(args[1], b, 0o644)
	}
	if len(args) == 2 && args[0] == "corrupt" {
		return corrupt(args[1])
	}
	if len(args) == 2 && args[0] == "models" {
		return writeModels(args[1])
	}
	if len(args) == 2 && args[0] == "subtitles" {
		return writeSubtitles(args[1])
	}
	if len(args) == 3 && args[0] == "exif" {
		o, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		return exifOrient(args[1], o)
	}
	return fmt.Errorf("usage: gen rotate FILE.mp4 DEGREES | gen random FILE SIZE SEED | gen corrupt FILE | gen models DIR | gen exif FILE.jpg ORIENTATION | gen subtitles DIR")
}

// rotate writes a clockwise display rotation into every tkhd box of an mp4
// with a single video track (the fixture has no audio).
func rotate(path string, deg int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// 16.16 fixed point a, b, c, d for a clockwise rotation, as FFmpeg's muxer writes them.
	const one = 0x10000
	var a, bb, c, d int32
	switch deg {
	case 90:
		a, bb, c, d = 0, one, -one, 0
	case 180:
		a, bb, c, d = -one, 0, 0, -one
	case 270:
		a, bb, c, d = 0, -one, one, 0
	case -1: // a left-right mirror, as some front cameras write
		a, bb, c, d = -one, 0, 0, one
	default:
		return fmt.Errorf("rotation must be 90, 180, 270 or mirror")
	}
	found := 0
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("tkhd"))
		if j < 0 {
			break
		}
		box := i + j + 4 // version byte
		off := box + 4 + 4 + 4 + 4 + 4 + 4 + 8 + 2 + 2 + 2 + 2
		if b[box] == 1 {
			off += 12 // 64-bit creation, modification and duration
		}
		m := []int32{a, bb, 0, c, d, 0, 0, 0, 0x40000000}
		for k, v := range m {
			binary.BigEndian.PutUint32(b[off+4*k:], uint32(v))
		}
		found++
		i = box
	}
	if found == 0 {
		return fmt.Errorf("%s: no tkhd box", path)
	}
	return os.WriteFile(path, b, 0o644)
}

// corrupt overwrites 200 bytes every 7919 bytes across the middle third of
// a file: the container stays readable, some frames do not.
func corrupt(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for off := len(b) / 3; off+200 < 2*len(b)/3; off += 7919 {
		for i := 0; i < 200; i++ {
			b[off+i] = byte(i * 37)
		}
	}
	return os.WriteFile(path, b, 0o644)
}
