package media

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/asticode/go-astiav"
)

// Keyframe is one decoded keyframe. It is valid only during the callback
// that receives it: the frame behind it is reused for the next keyframe.
type Keyframe struct {
	Index  int     // 0-based among the file's keyframes
	Time   float64 // seconds from the stream's start
	Width  int     // upright
	Height int     // upright
	file   *File
	frame  *astiav.Frame
}

// Outcome sums up a finished decode.
type Outcome struct {
	Keyframes int
	// Damage is empty for a clean file; otherwise it says what FFmpeg
	// reported or how much of the stream is missing.
	Damage string
}

// Keyframes decodes every keyframe of the file in order and hands each to fn.
// Non-key packets are dropped before the decoder sees them (the decoder also
// runs with skip_frame=nokey). An error from fn stops decoding and is returned.
// A file that yields no keyframe at all is an error.
func (m *File) Keyframes(ctx context.Context, fn func(*Keyframe) error) (Outcome, error) {
	stop := m.interruptOn(ctx)
	defer stop()
	r := newKeyframeReader(m, fn)
	defer r.free()
	for {
		if err := m.ctxErr(ctx); err != nil {
			return r.out, err
		}
		more, err := r.readPacket()
		if !more {
			if cerr := m.ctxErr(ctx); cerr != nil {
				return r.out, cerr
			}
			r.readErr = err
			break
		}
		if r.pkt.StreamIndex() != r.videoIndex || !r.takeVideoPacket() {
			r.pkt.Unref()
			continue
		}
		err = r.send(r.pkt)
		r.pkt.Unref()
		if err != nil {
			return r.out, err
		}
	}
	if err := r.send(nil); err != nil { // flush the decoder
		return r.out, err
	}
	if err := m.ctxErr(ctx); err != nil {
		return r.out, err
	}
	return r.outcome()
}

// keyframeReader is one pass of Keyframes over a file: it reads packets,
// keeps what the damage check needs to know about them, sends keyframe
// packets to the decoder and hands every frame it receives to fn.
type keyframeReader struct {
	m          *File
	fn         func(*Keyframe) error
	pkt        *astiav.Packet
	frame      *astiav.Frame
	videoIndex int
	timeBase   astiav.Rational
	start      int64 // the stream's start time, in timeBase units

	out           Outcome
	packets       int64   // video packets seen, key or not
	lastEnd       float64 // end of the last video packet, seconds from start
	indexTimes    bool    // packets carry no timestamps: time = packet index / fps
	damagedFrames int     // keyframes the decoder concealed errors in
	readErr       error   // why reading stopped early, if it did
}

func newKeyframeReader(m *File, fn func(*Keyframe) error) *keyframeReader {
	r := &keyframeReader{m: m, fn: fn, pkt: astiav.AllocPacket(), frame: astiav.AllocFrame(),
		videoIndex: m.stream.Index(), timeBase: m.stream.TimeBase(), start: m.stream.StartTime()}
	openObjects.Add(2)
	if r.start == astiav.NoPtsValue {
		r.start = 0
	}
	return r
}

func (r *keyframeReader) free() {
	r.pkt.Free()
	r.frame.Free()
	openObjects.Add(-2)
}

// readPacket reads the next packet of any stream into r.pkt. At the end,
// or on a read error (returned), it reports no more packets.
func (r *keyframeReader) readPacket() (more bool, err error) {
	err = r.m.fc.ReadFrame(r.pkt)
	if errors.Is(err, astiav.ErrEof) {
		return false, nil
	}
	return err == nil, err
}

// takeVideoPacket notes where the video packet in r.pkt ends and says
// whether it goes to the decoder: only keyframes do.
func (r *keyframeReader) takeVideoPacket() bool {
	pkt := r.pkt
	r.packets++
	ts := pkt.Pts()
	if ts == astiav.NoPtsValue {
		ts = pkt.Dts()
	}
	if ts != astiav.NoPtsValue {
		if end := float64(ts-r.start+pkt.Duration()) * r.timeBase.Float64(); end > r.lastEnd {
			r.lastEnd = end
		}
	}
	if !pkt.Flags().Has(astiav.PacketFlagKey) {
		return false
	}
	if pkt.Pts() == astiav.NoPtsValue && pkt.Dts() == astiav.NoPtsValue {
		// Raw elementary streams (.h264) carry no timestamps: number the
		// packets and turn the number into seconds with the frame rate.
		r.indexTimes = true
		pkt.SetPts(r.packets - 1)
	}
	return true
}

// send gives the decoder a packet (nil: flush) and receives what it has.
func (r *keyframeReader) send(p *astiav.Packet) error {
	for {
		err := r.m.cc.SendPacket(p)
		if errors.Is(err, astiav.ErrEagain) {
			// The decoder is full: drain it, then resend.
			if err := r.receive(); err != nil {
				return err
			}
			continue
		}
		if err != nil && !errors.Is(err, astiav.ErrEof) {
			r.m.damage.add("decode: " + err.Error())
		}
		return r.receive()
	}
}

// receive hands every frame the decoder has ready to fn.
func (r *keyframeReader) receive() error {
	for {
		err := r.m.cc.ReceiveFrame(r.frame)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			r.m.damage.add("decode: " + err.Error())
			return nil
		}
		if frameDamaged(r.frame) {
			r.damagedFrames++
		}
		r.m.orientFromFrame(r.frame)
		kf := r.keyframe()
		r.out.Keyframes++
		err = r.fn(kf)
		r.frame.Unref()
		if err != nil {
			return err
		}
	}
}

// keyframe describes the frame just received, at display size and upright.
func (r *keyframeReader) keyframe() *Keyframe {
	m := r.m
	kf := &Keyframe{Index: r.out.Keyframes, file: m, frame: r.frame}
	kf.Time = m.frameTime(r.frame, r.timeBase, r.start, r.indexTimes)
	sar := r.frame.SampleAspectRatio()
	if !validSAR(sar) {
		sar = m.sar
	}
	kf.Width, kf.Height = displaySize(r.frame.Width(), r.frame.Height(), sar)
	if m.info.Rotation == 90 || m.info.Rotation == 270 {
		kf.Width, kf.Height = kf.Height, kf.Width
	}
	return kf
}

// orientFromFrame takes a frame's own orientation when the container has
// none: a phone photo's EXIF orientation arrives only with its frame.
func (m *File) orientFromFrame(f *astiav.Frame) {
	if m.info.Rotation != 0 || m.info.Mirrored {
		return
	}
	if rot, mirrored := orientationOfFrame(f); rot != 0 || mirrored {
		m.info.Rotation, m.info.Mirrored = rot, mirrored
		if rot == 90 || rot == 270 {
			m.info.Width, m.info.Height = m.info.Height, m.info.Width
		}
	}
}

// outcome judges the finished pass: no keyframe at all is an error;
// otherwise Damage lists what was wrong (read errors, concealed decode
// errors, FFmpeg's complaints, a stream that stops short of its duration).
func (r *keyframeReader) outcome() (Outcome, error) {
	m := r.m
	if r.out.Keyframes == 0 {
		msg := "no decodable keyframe"
		if r.readErr != nil {
			msg += ": " + r.readErr.Error()
		} else if d := m.damage.messages(); len(d) > 0 {
			msg += ": " + strings.Join(d, "; ")
		}
		return r.out, errors.New(msg)
	}
	var why []string
	if r.readErr != nil {
		why = append(why, "read error: "+r.readErr.Error())
	}
	if r.damagedFrames > 0 {
		why = append(why, fmt.Sprintf("%d of %d keyframes decoded with errors", r.damagedFrames, r.out.Keyframes))
	}
	why = append(why, m.damage.messages()...)
	if d := m.info.Duration; !m.info.Still && d > 0 && r.lastEnd > 0 && d-r.lastEnd > 1 && d-r.lastEnd > 0.05*d {
		why = append(why, fmt.Sprintf("video stream ends at %.2f s of %.2f s (truncated)", r.lastEnd, d))
	}
	r.out.Damage = strings.Join(why, "; ")
	return r.out, nil
}

func (m *File) frameTime(f *astiav.Frame, tb astiav.Rational, start int64, indexTimes bool) float64 {
	if m.info.Still {
		return 0
	}
	pts := f.Pts()
	if pts == astiav.NoPtsValue {
		pts = f.PktDts()
	}
	if pts == astiav.NoPtsValue {
		return 0
	}
	if indexTimes {
		if m.info.FPS > 0 {
			return round3(float64(pts) / m.info.FPS)
		}
		return 0
	}
	return round3(math.Max(0, float64(pts-start)*tb.Float64()))
}

// round3 keeps timestamps to the millisecond so that exports are stable.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// RGB writes the keyframe, upright and scaled to w×h, as packed RGB24 into
// dst (len ≥ w*h*3). Buffers and scalers are reused between calls.
func (k *Keyframe) RGB(w, h int, dst []byte) error {
	if len(dst) < w*h*3 {
		return fmt.Errorf("rgb buffer too small: %d < %d", len(dst), w*h*3)
	}
	return k.file.conv.toRGB(k.frame, k.file.info.Rotation, k.file.info.Mirrored, w, h, dst)
}
