package results

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/vidsift/vidsift/engine/scan"
)

// ThumbStore keeps thumbnails as JPEG: in memory up to a budget, then in
// files under a cache folder, so 10,000+ frames stay far below 1 GB.
type ThumbStore struct {
	mu     sync.Mutex
	dir    string // created on first spill
	parent string
	budget int
	used   int
	refs   map[int]thumbRef
	seq    int
}

type thumbRef struct {
	data []byte // in memory, or
	file string // on disk
}

// NewThumbStore spills to a new folder under parent ("" = the system temp dir).
func NewThumbStore(parent string, budget int) *ThumbStore {
	return &ThumbStore{parent: parent, budget: budget, refs: map[int]thumbRef{}}
}

// Put compresses img and stores it; bind attaches the result to an ID.
func (s *ThumbStore) Put(img image.Image) (thumbRef, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: scan.JPEGQuality}); err != nil {
		return thumbRef{}, err
	}
	return s.PutJPEG(buf.Bytes())
}

// PutJPEG stores an already compressed thumbnail.
func (s *ThumbStore) PutJPEG(jpg []byte) (thumbRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used+len(jpg) <= s.budget {
		s.used += len(jpg)
		return thumbRef{data: jpg}, nil
	}
	if s.dir == "" {
		dir, err := os.MkdirTemp(s.parent, "vidsift-thumbs-")
		if err != nil {
			return thumbRef{}, fmt.Errorf("thumbnail cache: %w", err)
		}
		s.dir = dir
	}
	s.seq++
	name := filepath.Join(s.dir, strconv.Itoa(s.seq)+".jpg")
	if err := os.WriteFile(name, jpg, 0o600); err != nil {
		return thumbRef{}, fmt.Errorf("thumbnail cache: %w", err)
	}
	return thumbRef{file: name}, nil
}

func (s *ThumbStore) bind(id int, r thumbRef) {
	s.mu.Lock()
	s.refs[id] = r
	s.mu.Unlock()
}

// Get decodes the thumbnail stored for id.
func (s *ThumbStore) Get(id int) (image.Image, error) {
	s.mu.Lock()
	r, ok := s.refs[id]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("no thumbnail for frame %d", id)
	}
	data := r.data
	if r.file != "" {
		var err error
		if data, err = os.ReadFile(r.file); err != nil {
			return nil, err
		}
	}
	return jpeg.Decode(bytes.NewReader(data))
}

// Stats reports the bytes held in memory and the thumbnails on disk.
func (s *ThumbStore) Stats() (memBytes, onDisk int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.refs {
		if r.file != "" {
			onDisk++
		}
	}
	return s.used, onDisk
}

// Reset forgets every thumbnail and removes the spill folder.
func (s *ThumbStore) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs, s.used = map[int]thumbRef{}, 0
	if s.dir != "" {
		os.RemoveAll(s.dir)
		s.dir = ""
	}
}

// Close removes the spill folder.
func (s *ThumbStore) Close() error {
	s.Reset()
	return nil
}
