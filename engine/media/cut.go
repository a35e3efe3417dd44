package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/asticode/go-astiav"
)

// CutInfo says what a cut wrote.
type CutInfo struct {
	// Start and End are the clip's first and last instants in the
	// source's stream time (seconds from its start), as written: Start is
	// the keyframe at or before the start asked for.
	Start, End float64
	// Container is the muxer that wrote it ("mp4", "matroska", ...).
	Container string
	// Dropped names the source streams the clip leaves out, and why.
	Dropped []string
	// FromStart says the source could not seek: it was read from its start.
	FromStart bool
}

// Cut copies the stretch from start to end (seconds of the source's
// stream time) of the video at src into a new file at dst, by stream copy:
// no re-encoding, so it begins at the keyframe at or before start. The
// video stream and the audio streams are copied (other streams are
// dropped, and Dropped says so), with the video's display matrix, so a
// rotated phone clip stays upright. The container is dst's extension's; when
// that muxer cannot take the streams, Cut says so (ErrContainer) and the
// caller may try Matroska. A photo has nothing to cut (ErrStill). It writes
// a temporary file beside dst (PartFile) and renames it when complete:
// cancelled or failed, it leaves nothing. The clip's mode is 0644 less the
// umask, as every other output's.
func Cut(ctx context.Context, src, dst string, start, end float64) (CutInfo, error) {
	m, err := openVideo(ctx, src)
	if err != nil {
		return CutInfo{}, err
	}
	defer m.Close()
	tmpPath, lock, err := createPart(dst)
	if err != nil {
		return CutInfo{}, err
	}
	defer lock.Close() // after the rename: the part is ours until it is gone
	info, err := m.cut(ctx, dst, tmpPath, start, end)
	if err == nil {
		err = syncFile(tmpPath) // on disk before it has its final name
	}
	if err != nil {
		os.Remove(tmpPath)
		return info, err
	}
	if err := os.Rename(tmpPath, dst); err != nil {
		os.Remove(tmpPath)
		return info, err
	}
	return info, nil
}

// openVideo opens src to cut from it: a photo is ErrStill.
func openVideo(ctx context.Context, src string) (*File, error) {
	m, err := Open(ctx, src, Options{})
	if err != nil {
		return nil, err
	}
	if m.info.Still {
		m.Close()
		return nil, ErrStill
	}
	return m, nil
}

// ErrContainer says a container cannot hold the source's streams.
var ErrContainer = errors.New("the container cannot hold these streams")

// ErrStill says the source is a photo (a still image): it has no stretch
// of time to cut.
var ErrStill = errors.New("is a photo, not a video: there is nothing to cut")

// PartFile tells whether name is a temporary file Cut writes a clip to
// before renaming it, .<name>.<digits>.part (one left by a cut that was
// killed is stale).
func PartFile(name string) bool {
	rest, ok := strings.CutSuffix(name, ".part")
	if !ok || !strings.HasPrefix(rest, ".") {
		return false
	}
	i := strings.LastIndexByte(rest, '.')
	digits := rest[i+1:]
	return i > 0 && digits != "" && strings.Trim(digits, "0123456789") == ""
}

// syncFile flushes the file at path to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("writing the clip to disk: %w", err)
	}
	return f.Close()
}

// createPart makes the empty file beside dst that a clip is written to,
// and holds an exclusive lock on it (flock) until lock is closed: a part
// file nobody holds is one a cut that died left (StalePart).
func createPart(dst string) (name string, lock *os.File, err error) {
	stem := strings.TrimSuffix(filepath.Base(dst), filepath.Ext(dst))
	for range 100 {
		name := filepath.Join(filepath.Dir(dst), fmt.Sprintf(".%s.%d.part", stem, rand.Uint32()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			os.Remove(name)
			return "", nil, fmt.Errorf("locking %s: %w", name, err)
		}
		return name, f, nil
	}
	return "", nil, fmt.Errorf("cannot make a temporary file beside %s", dst)
}

// StalePart says the part file at path (see PartFile) is one no cut is
// writing: nobody holds its lock (createPart), so the cut that made it
// was interrupted or killed.
func StalePart(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false // a cut is writing it
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // closed next
	return true
}

// ErrNoTimestamps says the video's packets carry no times (a raw
// elementary stream): there is nothing to seek or cut by.
var ErrNoTimestamps = errors.New("its video has no timestamps (a raw stream?): it cannot be cut without re-encoding")

// firstVideoTimed reads up to the first video packet and returns its
// earliest time (its dts, before its pts when frames are reordered); it
// fails with ErrNoTimestamps when the packet carries no time (the caller
// seeks afterwards).
func (m *File) firstVideoTimed(pkt *astiav.Packet, video int) (int64, error) {
	for {
		if err := m.fc.ReadFrame(pkt); err != nil {
			if errors.Is(err, astiav.ErrEof) {
				return 0, errors.New("no video packet")
			}
			return 0, fmt.Errorf("reading: %w", err)
		}
		isVideo, pts, dts := pkt.StreamIndex() == video, pkt.Pts(), pkt.Dts()
		pkt.Unref()
		if isVideo {
			switch {
			case pts == astiav.NoPtsValue && dts == astiav.NoPtsValue:
				return 0, ErrNoTimestamps
			case pts == astiav.NoPtsValue:
				return dts, nil
			case dts == astiav.NoPtsValue:
				return pts, nil
			}
			return min(pts, dts), nil
		}
	}
}

// copied is an input stream being copied, with its output stream.
type copied struct {
	in, out *astiav.Stream
}

func (m *File) cut(ctx context.Context, dst, tmpPath string, start, end float64) (CutInfo, error) {
	var info CutInfo
	stop := m.interruptOn(ctx)
	defer stop()
	oc, err := astiav.AllocOutputFormatContext(nil, "", dst) // the format from dst's name
	if err != nil || oc == nil {
		return info, fmt.Errorf("%w: no muxer for %s (%v)", ErrContainer, filepath.Ext(dst), err)
	}
	defer oc.Free()
	info.Container = oc.OutputFormat().Name()
	if oc.OutputFormat().Flags().Has(astiav.IOFormatFlagNofile) {
		// An image muxer writes files of its own, under the final name,
		// bypassing the temporary file.
		return info, fmt.Errorf("%w: %s writes images, not a video", ErrContainer, info.Container)
	}

	streams := map[int]copied{}
	video := m.stream
	vi := video.Index() // streams are compared by index: each call wraps them anew
	info.Dropped = m.dropped()
	for _, is := range m.fc.Streams() {
		par := is.CodecParameters()
		if !m.copies(is) {
			continue
		}
		os := oc.NewStream(nil)
		if os == nil {
			return info, errors.New("cannot add an output stream")
		}
		if err := par.Copy(os.CodecParameters()); err != nil {
			return info, fmt.Errorf("copying stream parameters: %w", err)
		}
		os.CodecParameters().SetCodecTag(0)
		os.SetTimeBase(is.TimeBase())
		os.SetSampleAspectRatio(is.SampleAspectRatio())
		if is.Index() == vi {
			if dm := is.SideData(astiav.PacketSideDataTypeDisplaymatrix); len(dm) > 0 {
				if err := os.AddSideData(astiav.PacketSideDataTypeDisplaymatrix, dm); err != nil {
					return info, fmt.Errorf("copying the display matrix: %w", err)
				}
			}
		}
		streams[is.Index()] = copied{is, os}
	}
	io, err := astiav.OpenIOContext(tmpPath, astiav.NewIOContextFlags(astiav.IOContextFlagWrite))
	if err != nil {
		return info, fmt.Errorf("cannot write %s: %w", dst, err)
	}
	oc.SetPb(io)
	closed := false
	defer func() {
		if !closed {
			io.Close() //nolint:errcheck // failed already; the file is removed
		}
	}()
	if err := oc.WriteHeader(nil); err != nil {
		return info, fmt.Errorf("%w: %s cannot hold them (%v)", ErrContainer, info.Container, err)
	}

	tb := video.TimeBase()
	clk := m.clock()
	startTS, endTS := clk.ts(start), clk.ts(end)
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	sk, err := m.seekerFor(ctx, pkt)
	if err != nil {
		return info, err
	}
	sk.seek(startTS)

	// Packets wait in pending until the keyframe the clip begins at is
	// known: the last one at or before startTS (one GOP at most).
	var pending []*astiav.Packet
	defer func() {
		for _, p := range pending {
			p.Free()
		}
	}()
	begin := int64(astiav.NoPtsValue)     // the clip's first keyframe, video time base
	writing, lastVideo := false, int64(0) // lastVideo: where the last written video frame ends, video time base
	videoDone := false
	audioLeft := map[int]bool{} // audio streams that may still have packets within the stretch
	for i, c := range streams {
		if c.in.Index() != vi {
			audioLeft[i] = true
		}
	}
	frameEnd := func(p *astiav.Packet) int64 {
		pts := p.Pts()
		if pts == astiav.NoPtsValue {
			pts = p.Dts()
		}
		return pts + max(p.Duration(), 0)
	}
	write := func(p *astiav.Packet) error {
		c := streams[p.StreamIndex()]
		shift := astiav.RescaleQ(begin, tb, c.in.TimeBase())
		if p.Pts() != astiav.NoPtsValue {
			p.SetPts(p.Pts() - shift)
		}
		if p.Dts() != astiav.NoPtsValue {
			p.SetDts(p.Dts() - shift)
		}
		p.RescaleTs(c.in.TimeBase(), c.out.TimeBase())
		p.SetStreamIndex(c.out.Index())
		p.SetPos(-1)
		return oc.WriteInterleavedFrame(p)
	}
	for !videoDone || len(audioLeft) > 0 {
		if err := m.ctxErr(ctx); err != nil {
			return info, err
		}
		if err := m.fc.ReadFrame(pkt); err != nil {
			if cerr := m.ctxErr(ctx); cerr != nil {
				return info, cerr // the interrupt, not a read error
			}
			if errors.Is(err, astiav.ErrEof) && begin == astiav.NoPtsValue && sk.back() {
				continue // landed past the last keyframe
			}
			if errors.Is(err, astiav.ErrEof) {
				break
			}
			return info, fmt.Errorf("reading: %w", err)
		}
		c, ok := streams[pkt.StreamIndex()]
		if !ok {
			pkt.Unref()
			continue
		}
		ts := pkt.Pts()
		if ts == astiav.NoPtsValue {
			ts = pkt.Dts()
		}
		isVideo := c.in.Index() == vi
		vts := astiav.RescaleQ(ts, c.in.TimeBase(), tb) // in the video's time base
		// The video ends with the last packet decoded at or before endTS:
		// every frame written then has the frames it refers to.
		if dts := pkt.Dts(); isVideo && (videoDone || writing && dts != astiav.NoPtsValue && dts > endTS) {
			videoDone = true
			pkt.Unref()
			continue
		}
		if !isVideo && vts != astiav.NoPtsValue && vts > endTS {
			if begin != astiav.NoPtsValue {
				// Past the stretch; before the clip's keyframe is found a
				// seek back may still come, and read this stream again.
				delete(audioLeft, pkt.StreamIndex())
			}
			pkt.Unref()
			continue
		}
		if !writing {
			key := isVideo && pkt.Flags().Has(astiav.PacketFlagKey)
			if key && begin == astiav.NoPtsValue && vts > startTS && sk.back() {
				// The seek landed past the keyframe the clip needs (nothing
				// is pending before the first keyframe).
				pkt.Unref()
				continue
			}
			if key && (vts <= startTS || begin == astiav.NoPtsValue) {
				for _, p := range pending {
					p.Free()
				}
				pending, begin = pending[:0], vts
			}
			if begin == astiav.NoPtsValue {
				pkt.Unref()
				continue
			}
			if vts < begin && (isVideo || ts != astiav.NoPtsValue) {
				pkt.Unref() // before the keyframe in presentation time (an open GOP's leading frames)
				continue
			}
			keep := astiav.AllocPacket()
			keep.Ref(pkt) //nolint:errcheck // a reference to a read packet
			pkt.Unref()
			pending = append(pending, keep)
			if isVideo && vts > startTS {
				writing = true
				for _, p := range pending {
					if p.StreamIndex() == vi {
						lastVideo = max(lastVideo, frameEnd(p))
					}
					if err := write(p); err != nil {
						return info, fmt.Errorf("writing: %w", err)
					}
					p.Free()
				}
				pending = pending[:0]
			}
			continue
		}
		if vts < begin {
			pkt.Unref()
			continue
		}
		if isVideo {
			lastVideo = max(lastVideo, frameEnd(pkt))
		}
		if err := write(pkt); err != nil {
			return info, fmt.Errorf("writing: %w", err)
		}
		pkt.Unref()
	}
	if !writing { // the stretch ends before a later frame came: write what waits
		if begin == astiav.NoPtsValue {
			return info, fmt.Errorf("no keyframe at or after %.3f s", start)
		}
		for _, p := range pending {
			if p.StreamIndex() == vi {
				lastVideo = max(lastVideo, frameEnd(p))
			}
			if err := write(p); err != nil {
				return info, fmt.Errorf("writing: %w", err)
			}
		}
	}
	if err := oc.WriteTrailer(); err != nil {
		return info, fmt.Errorf("finishing the clip: %w", err)
	}
	closed = true
	if err := io.Close(); err != nil {
		return info, fmt.Errorf("closing the clip: %w", err)
	}
	info.Start, info.End, info.FromStart = clk.seconds(begin), clk.seconds(lastVideo), sk.fromStart
	return info, nil
}

// clock turns stream times (seconds from the video stream's start, as a
// scan's frame times are) into the video's timestamps and back.
type clock struct {
	tb     astiav.Rational
	origin int64
}

func (m *File) clock() clock {
	c := clock{tb: m.stream.TimeBase(), origin: m.stream.StartTime()}
	if c.origin == astiav.NoPtsValue {
		c.origin = 0
	}
	return c
}

// ts is t in the video's time base. Times are to the millisecond (as a
// scan's frame times are): a keyframe at 1.2 s is at or before 1.2 however
// 1.2 rounds in the time base.
func (c clock) ts(t float64) int64 {
	return c.origin + int64(math.Floor((t+0.0005)/c.tb.Float64()))
}

func (c clock) seconds(ts int64) float64 { return float64(ts-c.origin) * c.tb.Float64() }

// seeker moves reading to before a keyframe. A seek lands at or before its
// target in decode order, which is not always at or before the keyframe
// shown at the target: MPEG-TS and PS seek by dts, and a keyframe followed
// by B-frames is decoded before it is shown. So when the first keyframe
// read after a seek is later than wanted (or none came), the reader calls
// back to seek again, further back each time (1 s, 2 s, 4 s, ...), down to
// before the first packet (rewind: from the start).
type seeker struct {
	m          *File
	rewind, to int64 // video time base
	step       int64
	fromStart  bool // the file could not seek: read from its start
	videoIndex int
}

// seekerFor checks that the video's packets carry times (ErrNoTimestamps)
// and notes where they begin.
func (m *File) seekerFor(ctx context.Context, pkt *astiav.Packet) (*seeker, error) {
	first, err := m.firstVideoTimed(pkt, m.stream.Index())
	if err != nil {
		if cerr := m.ctxErr(ctx); cerr != nil {
			return nil, cerr // the interrupt, not a read error
		}
		return nil, err
	}
	return &seeker{m: m, rewind: first - 1, step: max(int64(1/m.stream.TimeBase().Float64()), 1), videoIndex: m.stream.Index()}, nil
}

// seek moves reading to at or before ts (or to the start, when the file
// cannot seek there).
func (s *seeker) seek(ts int64) {
	s.to = max(ts, s.rewind)
	flags := astiav.NewSeekFlags(astiav.SeekFlagBackward)
	if err := s.m.fc.SeekFrame(s.videoIndex, s.to, flags); err != nil {
		s.fromStart, s.to = true, s.rewind
		if err := s.m.fc.SeekFrame(s.videoIndex, s.rewind, flags); err != nil {
			// Cannot even rewind: read on from where opening left off.
			_ = err
		}
	}
}

// back seeks again further back, and says false when reading is from the
// start already.
func (s *seeker) back() bool {
	if s.to <= s.rewind {
		return false
	}
	s.seek(s.to - s.step)
	s.step *= 2
	return true
}

// copies tells whether a cut copies stream is: the video and the audio.
func (m *File) copies(is *astiav.Stream) bool {
	return is.Index() == m.stream.Index() || is.CodecParameters().MediaType() == astiav.MediaTypeAudio
}

// dropped names the streams a cut leaves out (a cover picture goes unsaid).
func (m *File) dropped() []string {
	var out []string
	for _, is := range m.fc.Streams() {
		if par := is.CodecParameters(); !m.copies(is) && !isAttachedPic(is) {
			out = append(out, fmt.Sprintf("stream %d (%s %s)", is.Index(), par.MediaType(), par.CodecID()))
		}
	}
	return out
}

// CutFrom says what Cut wrote at clip when it cut src from start: a clip
// already there, from an earlier run. Start is the keyframe of src the
// clip begins at, End where its video ends, in src's stream time.
func CutFrom(ctx context.Context, src, clip string, start float64) (CutInfo, error) {
	m, err := openVideo(ctx, src)
	if err != nil {
		return CutInfo{}, err
	}
	defer m.Close()
	info := CutInfo{Dropped: m.dropped()}
	begin, err := m.keyframeAtOrBefore(ctx, start, &info.FromStart)
	if err != nil {
		return info, err
	}
	c, err := Open(ctx, clip, Options{})
	if err != nil {
		return info, err
	}
	defer c.Close()
	length, err := c.videoLength(ctx)
	if err != nil {
		return info, err
	}
	if oc, err := astiav.AllocOutputFormatContext(nil, "", clip); err == nil && oc != nil {
		info.Container = oc.OutputFormat().Name() // the muxer's name, as Cut says it
		oc.Free()
	}
	info.Start, info.End = begin, begin+length
	return info, nil
}

// keyframeAtOrBefore is the time of the keyframe a cut from start begins
// at (as cut finds it).
func (m *File) keyframeAtOrBefore(ctx context.Context, start float64, fromStart *bool) (float64, error) {
	stop := m.interruptOn(ctx)
	defer stop()
	clk := m.clock()
	startTS := clk.ts(start)
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	sk, err := m.seekerFor(ctx, pkt)
	if err != nil {
		return 0, err
	}
	sk.seek(startTS)
	begin := int64(astiav.NoPtsValue)
	for {
		if err := m.fc.ReadFrame(pkt); err != nil {
			if cerr := m.ctxErr(ctx); cerr != nil {
				return 0, cerr
			}
			if errors.Is(err, astiav.ErrEof) && begin == astiav.NoPtsValue && sk.back() {
				continue
			}
			if errors.Is(err, astiav.ErrEof) {
				break
			}
			return 0, fmt.Errorf("reading: %w", err)
		}
		vts := pkt.Pts()
		if vts == astiav.NoPtsValue {
			vts = pkt.Dts()
		}
		isVideo, key := pkt.StreamIndex() == sk.videoIndex, pkt.Flags().Has(astiav.PacketFlagKey)
		pkt.Unref()
		if !isVideo || vts == astiav.NoPtsValue {
			continue
		}
		if key && begin == astiav.NoPtsValue && vts > startTS && sk.back() {
			continue // landed past the keyframe: seeks further back
		}
		if key && (vts <= startTS || begin == astiav.NoPtsValue) {
			begin = vts
		}
		if begin != astiav.NoPtsValue && vts > startTS {
			break
		}
	}
	*fromStart = sk.fromStart
	if begin == astiav.NoPtsValue {
		return 0, fmt.Errorf("no keyframe at or after %.3f s", start)
	}
	return clk.seconds(begin), nil
}

// videoLength is where a clip's video ends, in seconds from its start
// (from its first frame: some muxers, MPEG-TS's, delay it).
func (m *File) videoLength(ctx context.Context) (float64, error) {
	stop := m.interruptOn(ctx)
	defer stop()
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	clk, end := m.clock(), int64(astiav.NoPtsValue)
	for {
		if err := m.fc.ReadFrame(pkt); err != nil {
			if cerr := m.ctxErr(ctx); cerr != nil {
				return 0, cerr
			}
			if errors.Is(err, astiav.ErrEof) && end != astiav.NoPtsValue {
				return clk.seconds(end), nil
			}
			if errors.Is(err, astiav.ErrEof) {
				return 0, errors.New("no video packet")
			}
			return 0, fmt.Errorf("reading: %w", err)
		}
		if pkt.StreamIndex() == m.stream.Index() {
			ts := pkt.Pts()
			if ts == astiav.NoPtsValue {
				ts = pkt.Dts()
			}
			if ts != astiav.NoPtsValue && (end == astiav.NoPtsValue || ts+max(pkt.Duration(), 0) > end) {
				end = ts + max(pkt.Duration(), 0)
			}
		}
		pkt.Unref()
	}
}
