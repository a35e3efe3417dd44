// Package media opens anything FFmpeg opens and yields the frames a sampling
// policy asks for (keyframes, gap frames between them, and the first frame
// of each shot that starts between them), upright and converted to RGB at
// whatever size the caller asks for.
package media

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"
	"github.com/vidsift/vidsift/engine/scan"
)

// Options tune the decoder. The zero value is usable.
type Options struct {
	// DecoderThreads is FFmpeg's thread count per file; 0 lets FFmpeg pick.
	DecoderThreads int
	// ThreadType is "frame", "slice" or "" (both).
	ThreadType string
	// Timeout bounds the whole decode of one file; 0 means none.
	Timeout time.Duration
	// Sampling picks the frames Frames analyses (the zero value: keyframes only).
	Sampling scan.Sampling
	// Log receives FFmpeg's messages about the file (nil: dropped; its
	// errors still say how a partial file is damaged).
	Log *slog.Logger
}

// File is an opened media file. It is not safe for concurrent use.
type File struct {
	path     string
	info     scan.MediaInfo
	opts     Options
	fc       *astiav.FormatContext
	cc       *astiav.CodecContext
	stream   *astiav.Stream
	intr     astiav.IOInterrupter
	damage   *damageRecorder
	conv     converter
	sar      astiav.Rational // the stream's sample aspect ratio, for frames without one
	deadline time.Time
	closed   bool
}

// openObjects counts FFmpeg contexts that are open right now, so tests can
// prove that every run, cancelled or not, releases what it opened.
var openObjects atomic.Int64

// OpenObjects reports how many FFmpeg objects (format and codec contexts,
// frames, packets, scalers) are currently allocated by this package.
func OpenObjects() int64 { return openObjects.Load() }

// ErrNoVideo is returned for inputs without a video stream (audio-only files).
var ErrNoVideo = errors.New("no video stream")

// Open opens path and prepares a decoder for its best video stream (Options.Sampling says
// which of its packets reach it).
//
// No global lock is taken: avformat_open_input, avformat_find_stream_info and
// avcodec_open2 are thread-safe in FFmpeg >= 4 (codec init locking is internal),
// which TestConcurrentOpen checks under -race with many goroutines.
func Open(ctx context.Context, path string, opts Options) (*File, error) {
	installLogCallback()
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", FileKind(st.Mode()))
	}
	if st.Size() == 0 {
		return nil, errors.New("empty file (0 bytes)")
	}
	if f, err := os.Open(path); err != nil {
		return nil, err
	} else {
		f.Close()
	}

	m := &File{path: path, opts: opts, damage: &damageRecorder{path: path, log: opts.Log}}
	if opts.Timeout > 0 {
		m.deadline = time.Now().Add(opts.Timeout)
	}
	if err := m.open(ctx); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

func (m *File) open(ctx context.Context) error {
	m.fc = astiav.AllocFormatContext()
	if m.fc == nil {
		return errors.New("cannot allocate format context")
	}
	openObjects.Add(1)
	m.damage.watch(m.fc)
	m.intr = m.fc.SetInterruptCallback()
	stop := m.interruptOn(ctx)
	defer stop()

	if err := m.fc.OpenInput(m.path, nil, nil); err != nil {
		m.fc.Free()
		openObjects.Add(-1)
		m.damage.unwatch(m.fc)
		m.fc = nil
		return m.explain("cannot open", err, ctx)
	}
	if err := m.fc.FindStreamInfo(nil); err != nil {
		return m.explain("cannot read stream info", err, ctx)
	}

	if f := m.fc.InputFormat(); f != nil && textFormats[f.Name()] {
		return fmt.Errorf("not a media file (FFmpeg sees %s text)", f.Name())
	}
	m.stream = bestVideoStream(m.fc)
	if m.stream == nil {
		if f := m.fc.InputFormat(); f != nil {
			return fmt.Errorf("%w (FFmpeg reads it as %s with %d stream(s); audio only?)", ErrNoVideo, f.Name(), m.fc.NbStreams())
		}
		return ErrNoVideo
	}
	par := m.stream.CodecParameters()
	codec := astiav.FindDecoder(par.CodecID())
	if codec == nil {
		return fmt.Errorf("no decoder for codec %s", par.CodecID())
	}
	m.cc = astiav.AllocCodecContext(codec)
	if m.cc == nil {
		return errors.New("cannot allocate decoder")
	}
	openObjects.Add(1)
	m.damage.watch(m.cc)
	if err := par.ToCodecContext(m.cc); err != nil {
		return fmt.Errorf("decoder parameters: %w", err)
	}
	m.cc.SetThreadCount(m.opts.DecoderThreads)
	switch m.opts.ThreadType {
	case "frame":
		m.cc.SetThreadType(astiav.ThreadTypeFrame)
	case "slice":
		m.cc.SetThreadType(astiav.ThreadTypeSlice)
	default:
		m.cc.SetThreadType(astiav.ThreadTypeFrame | astiav.ThreadTypeSlice)
	}
	// skip_frame=nokey makes decoders that honour it drop non-key frames even
	// if one slips through; the packet filter in Frames does the real work.
	// With gap frames, noref still decodes every keyframe and every frame
	// later ones refer to, and skips the rest (usually the B-frames).
	// go-astiav 0.16 cannot change it later, so it is set here, once.
	d := astiav.NewDictionary()
	defer d.Free()
	skip := "nokey"
	if m.opts.Sampling.MaxGap > 0 {
		skip = "noref"
	}
	_ = d.Set("skip_frame", skip, 0)
	if err := m.cc.Open(codec, d); err != nil {
		return fmt.Errorf("cannot open %s decoder: %w", codec.Name(), err)
	}

	m.info = m.describe()
	return nil
}

// explain turns FFmpeg's open errors into messages a user can act on.
func (m *File) explain(what string, err error, ctx context.Context) error {
	if cerr := m.ctxErr(ctx); cerr != nil {
		return cerr
	}
	if errors.Is(err, astiav.ErrInvaliddata) {
		return fmt.Errorf("%s: not a media file FFmpeg understands, or it is corrupt (%v)", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ctxErr reports cancellation or the per-file timeout.
func (m *File) ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !m.deadline.IsZero() && time.Now().After(m.deadline) {
		return fmt.Errorf("timed out after %s", m.opts.Timeout)
	}
	return nil
}

// interruptOn makes blocking FFmpeg I/O return when ctx ends or the timeout
// fires. stop waits for the watcher to exit, so watchers never overlap.
func (m *File) interruptOn(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	var timeout <-chan time.Time
	var timer *time.Timer
	if !m.deadline.IsZero() {
		timer = time.NewTimer(time.Until(m.deadline))
		timeout = timer.C
	}
	go func() {
		defer close(exited)
		select {
		case <-ctx.Done():
			m.intr.Interrupt()
		case <-timeout:
			m.intr.Interrupt()
		case <-done:
		}
	}()
	return func() {
		close(done)
		<-exited
		if timer != nil {
			timer.Stop()
		}
	}
}

func (m *File) describe() scan.MediaInfo {
	par := m.stream.CodecParameters()
	m.sar = par.SampleAspectRatio()
	if !validSAR(m.sar) {
		m.sar = m.stream.SampleAspectRatio()
	}
	w, h := displaySize(par.Width(), par.Height(), m.sar)
	info := scan.MediaInfo{
		Codec:  par.CodecID().Name(),
		Width:  w,
		Height: h,
	}
	info.Rotation, info.Mirrored = orientationOf(m.stream)
	if f := m.fc.InputFormat(); f != nil {
		info.Container = f.Name()
	}
	info.Still = isStill(info.Container, m.path, m.stream)
	if info.Rotation == 90 || info.Rotation == 270 {
		info.Width, info.Height = info.Height, info.Width
	}
	if !info.Still {
		info.Duration = m.videoDuration()
		info.FPS = frameRate(m.stream)
	}
	return info
}

// videoDuration is how long the video stream says it lasts (seconds; 0:
// unknown): its own duration, else its DURATION tag (Matroska keeps one
// per track), else the container's. The container's is the longest of
// its streams': a subtitle track that runs on, or says it does, must not
// make the video look truncated.
func (m *File) videoDuration() float64 {
	if d := m.stream.Duration(); d > 0 {
		return float64(d) * m.stream.TimeBase().Float64()
	}
	if md := m.stream.Metadata(); md != nil {
		if e := md.Get("DURATION", nil, astiav.NewDictionaryFlags()); e != nil {
			if d, ok := clockSeconds(e.Value()); ok && d > 0 {
				return d
			}
		}
	}
	if d := m.fc.Duration(); d > 0 {
		return float64(d) / float64(astiav.TimeBase)
	}
	return 0
}

// clockSeconds reads a Matroska DURATION tag, HH:MM:SS.fraction.
func clockSeconds(s string) (float64, bool) {
	var h, m int
	var sec float64
	if n, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d:%f", &h, &m, &sec); err != nil || n != 3 || h < 0 || m < 0 || sec < 0 {
		return 0, false
	}
	return float64(h*3600+m*60) + sec, true
}

// Info returns what Open learned about the file.
func (m *File) Info() scan.MediaInfo { return m.info }

// Close releases every FFmpeg object of the file. It is safe to call twice.
func (m *File) Close() {
	if m.closed {
		return
	}
	m.closed = true
	m.conv.free()
	if m.cc != nil {
		m.damage.unwatch(m.cc)
		m.cc.Free()
		openObjects.Add(-1)
	}
	if m.fc != nil {
		m.damage.unwatch(m.fc)
		m.fc.CloseInput()
		m.fc.Free()
		openObjects.Add(-1)
	}
}

// textFormats are demuxers that render plain text as video; a .txt is never
// what a user means by media.
var textFormats = map[string]bool{"tty": true, "srt": true, "ass": true, "webvtt": true}

func bestVideoStream(fc *astiav.FormatContext) *astiav.Stream {
	var best *astiav.Stream
	bestScore := -1
	for _, s := range fc.Streams() {
		par := s.CodecParameters()
		if par.MediaType() != astiav.MediaTypeVideo || par.Width() <= 0 || isAttachedPic(s) {
			continue // cover art is not the video, however large
		}
		score := par.Width() * par.Height()
		// A picture muxed as a one-frame mjpeg/png track (not flagged as
		// cover art) loses to a real video stream too.
		if id := par.CodecID(); (id == astiav.CodecIDMjpeg || id == astiav.CodecIDPng) && s.NbFrames() == 1 {
			score /= 1 << 20
		}
		if score > bestScore {
			best, bestScore = s, score
		}
	}
	return best
}

// validSAR reports whether a sample aspect ratio is set and plausible.
func validSAR(r astiav.Rational) bool {
	if r.Num() <= 0 || r.Den() <= 0 {
		return false
	}
	f := r.Float64()
	return f >= 0.1 && f <= 10
}

// displaySize is the size a w×h picture of non-square pixels (DVD, HDV,
// anamorphic widescreen) is shown at: stretched, never squeezed, along the
// side the pixels are long on, so detections see true proportions.
func displaySize(w, h int, sar astiav.Rational) (int, int) {
	if !validSAR(sar) || sar.Num() == sar.Den() {
		return w, h
	}
	if f := sar.Float64(); f > 1 {
		w = int(math.Round(float64(w) * f))
	} else {
		h = int(math.Round(float64(h) / f))
	}
	return w, h
}

// orientationOf is the stream's display matrix as a clockwise rotation and
// whether the picture is then mirrored left-right.
func orientationOf(s *astiav.Stream) (int, bool) {
	return orientationOfMatrix(s.SideData(astiav.PacketSideDataTypeDisplaymatrix))
}

// orientationOfFrame reads a display matrix a decoder attached to the
// frame: FFmpeg's JPEG decoder turns a photo's EXIF orientation into one.
func orientationOfFrame(f *astiav.Frame) (int, bool) {
	if sd := f.SideData(astiav.FrameSideDataTypeDisplaymatrix); sd != nil {
		return orientationOfMatrix(sd.Data())
	}
	return 0, false
}

// orientationOfMatrix splits a display matrix (nine native-endian int32)
// into a rotation and a left-right mirror applied after it. A mirroring
// matrix has a negative determinant; negating its first column (FFmpeg's
// horizontal flip of the output) leaves the pure rotation.
func orientationOfMatrix(b []byte) (int, bool) {
	if len(b) < 36 {
		return 0, false
	}
	m := make([]int32, 9)
	for i := range m {
		m[i] = int32(binary.NativeEndian.Uint32(b[4*i:]))
	}
	det := int64(m[0])*int64(m[4]) - int64(m[1])*int64(m[3])
	if det >= 0 {
		return rotationOfMatrix(b), false
	}
	m[0], m[3] = -m[0], -m[3]
	unmirrored := make([]byte, 36)
	for i, v := range m {
		binary.NativeEndian.PutUint32(unmirrored[4*i:], uint32(v))
	}
	return rotationOfMatrix(unmirrored), true
}

func rotationOfMatrix(b []byte) int {
	if len(b) < 36 {
		return 0
	}
	dm, err := astiav.NewDisplayMatrixFromBytes(b)
	if err != nil {
		return 0
	}
	r := dm.Rotation()
	if math.IsNaN(r) {
		return 0
	}
	deg := int(math.Round(r/90)) * 90 % 360
	if deg < 0 {
		deg += 360
	}
	return deg
}

func frameRate(s *astiav.Stream) float64 {
	for _, r := range []astiav.Rational{s.AvgFrameRate(), s.RFrameRate()} {
		if r.Num() > 0 && r.Den() > 0 {
			if f := r.Float64(); f > 0 && f < 1000 {
				return f
			}
		}
	}
	return 0
}

func isStill(container, path string, s *astiav.Stream) bool {
	if container == "image2" || strings.HasSuffix(container, "_pipe") {
		return true
	}
	return isImageExt(path) && s.NbFrames() <= 1 && container != "gif"
}

// FileKind names what a non-regular file is, for error messages.
func FileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeDevice != 0:
		return "device"
	default:
		return m.Type().String()
	}
}
