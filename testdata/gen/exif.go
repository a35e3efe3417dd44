package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
)

// exifOrient writes an EXIF APP1 segment holding only an Orientation tag
// (1–8) right after a JPEG's start-of-image marker, as a phone camera
// does instead of turning the pixels.
func exifOrient(path string, orientation int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		return fmt.Errorf("%s is not a JPEG", path)
	}
	if orientation < 1 || orientation > 8 {
		return fmt.Errorf("orientation %d is not 1-8", orientation)
	}
	var tiff bytes.Buffer
	be := binary.BigEndian
	tiff.WriteString("MM\x00\x2a")                            // big-endian TIFF header
	binary.Write(&tiff, be, uint32(8))                        // IFD0 right after it
	binary.Write(&tiff, be, uint16(1))                        // one entry:
	binary.Write(&tiff, be, []uint16{0x0112, 3})              // Orientation, SHORT
	binary.Write(&tiff, be, uint32(1))                        // one value,
	binary.Write(&tiff, be, []uint16{uint16(orientation), 0}) // inline
	binary.Write(&tiff, be, uint32(0))                        // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append(append(append([]byte{0xFF, 0xD8}, seg...), payload...), b[2:]...)
	return os.WriteFile(path, out, 0o644)
}
