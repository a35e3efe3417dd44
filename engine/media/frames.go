package media

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/asticode/go-astiav"
	"github.com/vidsift/vidsift/engine/scan"
)

// Frame is one decoded frame to analyse. It is valid only during the
// callback that receives it: the frame behind it is reused for the next.
type Frame struct {
	Index  int            // 0-based among the file's analysed frames
	Time   float64        // seconds from the stream's start
	Kind   scan.FrameKind // a keyframe, a gap frame or a cut frame
	Width  int            // upright
	Height int            // upright
	file   *File
	frame  *astiav.Frame
}

// Outcome sums up a finished decode.
type Outcome struct {
	Frames    int // frames handed to the callback
	Keyframes int // of which keyframes
	Cuts      int // of which cut frames
	// Decoded counts the frames the decoder produced; CutCandidates the
	// packets decoded to look for a cut (Sampling.Cuts).
	Decoded       int
	CutCandidates int
	// KeyframeInterval is the largest distance, in seconds, between two
	// keyframes of the video (0 when it has one keyframe or is a photo).
	KeyframeInterval float64
	// Damage is empty for a clean file; otherwise it says what FFmpeg
	// reported or how much of the stream is missing.
	Damage string
}

// Frames decodes the frames the sampling asks for, in time order, and hands
// each to fn. With MaxGap 0 non-key packets are dropped before the decoder
// sees them (it also runs with skip_frame=nokey). Otherwise non-key packets
// wait in a buffer of at most one gap and reach the decoder (which skips
// non-reference frames, skip_frame=noref) only when a gap frame is due in
// their group of pictures, or when a packet may open a new shot (Cuts; see
// cutframes.go). An error from fn stops decoding and is returned.
// A file that yields no frame at all is an error.
func (m *File) Frames(ctx context.Context, fn func(*Frame) error) (Outcome, error) {
	stop := m.interruptOn(ctx)
	defer stop()
	r := newFrameReader(m, fn)
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
		if r.pkt.StreamIndex() != r.videoIndex {
			r.pkt.Unref()
			continue
		}
		if err := r.route(); err != nil {
			return r.out, err
		}
	}
	if err := r.finish(); err != nil {
		return r.out, err
	}
	if err := m.ctxErr(ctx); err != nil {
		return r.out, err
	}
	m.info.KeyframeInterval = round3(r.out.KeyframeInterval)
	return r.outcome()
}

// frameReader is one pass of Frames over a file: it reads packets, keeps
// what the damage check needs to know about them, decides which reach the
// decoder, and picks the decoded frames to hand to fn.
type frameReader struct {
	m          *File
	fn         func(*Frame) error
	sampling   scan.Sampling
	interval   float64 // one frame, seconds (0: unknown)
	pkt        *astiav.Packet
	frame      *astiav.Frame
	videoIndex int
	timeBase   astiav.Rational
	start      int64 // the stream's start time, in timeBase units

	// Packets.
	packets    int64   // video packets seen, key or not
	lastEnd    float64 // end of the last video packet, seconds from start
	indexTimes bool    // packets carry no timestamps: time = packet index / fps
	keyFed     bool    // a keyframe reached the decoder: later packets can be decoded
	lastKeyPkt float64 // time of the last keyframe packet (-1: none yet)
	buffered   []*astiav.Packet
	feeding    bool // a gap frame is due: non-key packets go to the decoder
	// Cut frames (Sampling.Cuts with MaxGap > 0).
	cuts   bool
	sizes  packetSizes
	cutAt  []float64 // times of candidate packets sent to the decoder whose frames are not yet judged
	look   shotLook
	lookOK bool // look measures the last analysed frame
	// The packet side's view of the last analysed frame: the decoder hands
	// frames out late (reordering, threads), so a keyframe sent now counts
	// as analysed at its time, unless MinGap will skip it.
	planned, plannedKey float64
	planning            bool

	// Frames.
	out           Outcome
	analysed      bool    // some frame was handed to fn
	lastT         float64 // time of the last analysed frame
	lastKeyT      float64 // time of the last analysed keyframe
	keyAnalysed   bool
	held          *astiav.Frame // the latest decoded frame not analysed (a gap-frame candidate)
	heldOK        bool
	heldT         float64
	heldKey       bool
	damagedFrames int   // frames the decoder concealed errors in
	readErr       error // why reading stopped early, if it did
}

func newFrameReader(m *File, fn func(*Frame) error) *frameReader {
	r := &frameReader{m: m, fn: fn, sampling: m.opts.Sampling, pkt: astiav.AllocPacket(), frame: astiav.AllocFrame(),
		held: astiav.AllocFrame(), videoIndex: m.stream.Index(), timeBase: m.stream.TimeBase(),
		start: m.stream.StartTime(), lastKeyPkt: -1}
	openObjects.Add(3)
	if r.start == astiav.NoPtsValue {
		r.start = 0
	}
	if m.info.FPS > 0 {
		r.interval = 1 / m.info.FPS
	}
	if m.info.Still {
		r.sampling = scan.Sampling{}
	}
	r.cuts = r.sampling.Cuts && r.sampling.MaxGap > 0
	return r
}

func (r *frameReader) free() {
	r.dropBuffered()
	r.pkt.Free()
	r.frame.Free()
	r.held.Free()
	openObjects.Add(-3)
}

// readPacket reads the next packet of any stream into r.pkt. At the end,
// or on a read error (returned), it reports no more packets.
func (r *frameReader) readPacket() (more bool, err error) {
	err = r.m.fc.ReadFrame(r.pkt)
	if errors.Is(err, astiav.ErrEof) {
		return false, nil
	}
	return err == nil, err
}

// route takes the video packet in r.pkt: a keyframe always reaches the
// decoder and ends the buffered group of pictures; a non-key packet is
// dropped (keyframes only), buffered, or sent once a gap frame is due.
func (r *frameReader) route() error {
	pkt := r.pkt
	t := r.notePacket()
	switch key := pkt.Flags().Has(astiav.PacketFlagKey); {
	case key:
		if r.lastKeyPkt >= 0 && t-r.lastKeyPkt > r.out.KeyframeInterval {
			r.out.KeyframeInterval = t - r.lastKeyPkt
		}
		r.lastKeyPkt = t
		if !r.planning || t-r.plannedKey >= r.sampling.MinGap-1e-6 {
			r.planning, r.planned, r.plannedKey = true, max(r.planned, t), t
		}
		r.dropBuffered()
		r.feeding = false
		r.keyFed = true
		return r.sendCurrent()
	case r.sampling.MaxGap <= 0 || !r.keyFed:
		pkt.Unref() // undecodable without its keyframe, or not wanted
		return nil
	}
	judging := len(r.cutAt) > 0 // the decoder owes a candidate's frame
	cut := r.cutCandidate(t)
	if cut {
		r.cutAt = append(r.cutAt, t)
	}
	if r.feeding || judging {
		return r.sendCurrent()
	}
	r.buffered = append(r.buffered, pkt.Clone())
	openObjects.Add(1)
	pkt.Unref()
	if cut {
		// Decode the chain up to the candidate; its frame is judged in take.
		return r.sendBuffered()
	}
	if r.gapDue(t) {
		r.feeding = true
		return r.sendBuffered()
	}
	return nil
}

// cutCandidate notes the size of the non-key packet in r.pkt and says
// whether it may open a new shot: far larger than the packets before it,
// and more than a frame after the last analysed (or planned) frame.
func (r *frameReader) cutCandidate(t float64) bool {
	if !r.cuts || !r.sizes.outlier(r.pkt.Size()) {
		return false
	}
	last := r.planned
	if r.analysed {
		last = max(last, r.lastT)
	}
	if t <= last+r.interval+1e-6 {
		return false
	}
	r.out.CutCandidates++
	return true
}

// gapDue says whether a frame at time t lies a whole gap after the last
// analysed frame: the frames up to it must be decoded.
func (r *frameReader) gapDue(t float64) bool {
	last := r.planned
	if r.analysed {
		last = max(last, r.lastT)
	}
	return r.planning && t >= last+r.sampling.MaxGap
}

// notePacket notes where the video packet in r.pkt ends and returns its time.
func (r *frameReader) notePacket() float64 {
	pkt := r.pkt
	r.packets++
	if pkt.Pts() == astiav.NoPtsValue && pkt.Dts() == astiav.NoPtsValue {
		// Raw elementary streams (.h264) carry no timestamps: number the
		// packets and turn the number into seconds with the frame rate.
		r.indexTimes = true
		pkt.SetPts(r.packets - 1)
	}
	ts := pkt.Pts()
	if ts == astiav.NoPtsValue {
		ts = pkt.Dts()
	}
	if r.indexTimes {
		t := float64(ts) * r.interval
		r.lastEnd = max(r.lastEnd, t+r.interval)
		return t
	}
	t := float64(ts-r.start) * r.timeBase.Float64()
	if end := float64(ts-r.start+pkt.Duration()) * r.timeBase.Float64(); end > r.lastEnd {
		r.lastEnd = end
	}
	return t
}

func (r *frameReader) sendCurrent() error {
	err := r.send(r.pkt)
	r.pkt.Unref()
	return err
}

// sendBuffered hands the buffered packets to the decoder, oldest first.
func (r *frameReader) sendBuffered() error {
	for len(r.buffered) > 0 {
		p := r.buffered[0]
		r.buffered = r.buffered[1:]
		err := r.send(p)
		p.Free()
		openObjects.Add(-1)
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *frameReader) dropBuffered() {
	for _, p := range r.buffered {
		p.Free()
		openObjects.Add(-1)
	}
	r.buffered = r.buffered[:0]
}

// finish decodes what the end of the video still needs (the buffered
// packets, when the stretch since the last analysed frame would otherwise
// exceed the gap), flushes the decoder, and analyses the last decoded frame
// if the end is still too far.
func (r *frameReader) finish() error {
	if r.sampling.MaxGap > 0 && len(r.buffered) > 0 && r.gapDue(r.lastEnd-r.interval) {
		if err := r.sendBuffered(); err != nil {
			return err
		}
	}
	r.dropBuffered()
	if err := r.send(nil); err != nil { // flush the decoder
		return err
	}
	if r.sampling.MaxGap > 0 && r.heldOK && r.heldT > r.lastT && r.gapDue(r.lastEnd-r.interval) {
		return r.emitHeld()
	}
	return nil
}

// send gives the decoder a packet (nil: flush) and receives what it has.
func (r *frameReader) send(p *astiav.Packet) error {
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

// receive takes every frame the decoder has ready.
func (r *frameReader) receive() error {
	for {
		err := r.m.cc.ReceiveFrame(r.frame)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			r.m.damage.add("decode: " + err.Error())
			return nil
		}
		r.m.orientFromFrame(r.frame)
		err = r.take(r.frame)
		r.frame.Unref()
		if err != nil {
			return err
		}
	}
}

// take decides about one decoded frame: analyse it (a keyframe not too
// close to the previous one, or the frame that closes a gap), or hold it as
// the candidate for the next gap frame. A frame past the gap's limit first
// makes the held frame, still within it, the gap frame.
func (r *frameReader) take(f *astiav.Frame) error {
	t := r.m.frameTime(f, r.timeBase, r.start, r.indexTimes)
	key := f.KeyFrame() || f.PictureType() == astiav.PictureTypeI
	r.out.Decoded++
	const eps = 1e-6
	gap := r.sampling.MaxGap
	if gap > 0 && r.analysed && r.heldOK && r.heldT > r.lastT && t > r.lastT+gap+r.interval+eps {
		if err := r.emitHeld(); err != nil {
			return err
		}
	}
	if len(r.cutAt) > 0 && t >= r.cutAt[0]-eps {
		// The first frame decoded at or after a candidate packet (a
		// non-reference frame there is skipped by the decoder); packets
		// go on to the decoder until every candidate is judged.
		for len(r.cutAt) > 0 && t >= r.cutAt[0]-eps {
			r.cutAt = r.cutAt[1:]
		}
		if lk, ok := r.cutLook(f, t, key); ok {
			r.heldOK = false
			r.held.Unref()
			return r.emit(f, t, scan.CutFrame, &lk)
		}
	}
	switch {
	case key && (!r.keyAnalysed || t-r.lastKeyT >= r.sampling.MinGap-eps),
		!r.analysed,
		gap > 0 && t >= r.lastT+gap-eps:
		r.heldOK = false
		r.held.Unref()
		return r.emit(f, t, kindOf(key), nil)
	case gap > 0 && t > r.lastT:
		r.held.Unref()
		if err := r.held.Ref(f); err != nil {
			return err
		}
		r.heldOK, r.heldT, r.heldKey = true, t, key
	}
	return nil
}

// cutLook judges the frame decoded for a cut candidate: a frame other than
// a keyframe, more than a frame after the last analysed one, whose picture
// as a whole differs from it. It returns the frame's look when it is a cut.
func (r *frameReader) cutLook(f *astiav.Frame, t float64, key bool) (shotLook, bool) {
	if key || !r.analysed || !r.lookOK || t <= r.lastT+r.interval+1e-6 {
		return shotLook{}, false
	}
	lk, err := r.m.conv.lookOf(f)
	if err != nil || !newShot(&r.look, &lk) {
		return shotLook{}, false
	}
	return lk, true
}

func kindOf(key bool) scan.FrameKind {
	if key {
		return scan.KeyFrame
	}
	return scan.GapFrame
}

func (r *frameReader) emitHeld() error {
	r.heldOK = false
	err := r.emit(r.held, r.heldT, kindOf(r.heldKey), nil)
	r.held.Unref()
	return err
}

// emit hands one frame to fn. With cuts on it first measures the frame's
// look (lk, when the caller has it), which the next candidate is held
// against.
func (r *frameReader) emit(f *astiav.Frame, t float64, kind scan.FrameKind, lk *shotLook) error {
	if frameDamaged(f) {
		r.damagedFrames++
	}
	if r.cuts {
		if lk != nil {
			r.look, r.lookOK = *lk, true
		} else {
			var err error
			r.look, err = r.m.conv.lookOf(f)
			r.lookOK = err == nil
		}
	}
	fr := r.describe(f)
	fr.Time, fr.Kind = t, kind
	r.analysed, r.lastT = true, t
	switch kind {
	case scan.KeyFrame:
		r.keyAnalysed, r.lastKeyT = true, t
		r.out.Keyframes++
	case scan.CutFrame:
		r.out.Cuts++
		r.feeding = false // a gap due is closed too: buffer again
	default:
		r.feeding = false // the gap is closed: buffer again
	}
	r.out.Frames++
	return r.fn(fr)
}

// describe sizes a decoded frame for display, upright.
func (r *frameReader) describe(f *astiav.Frame) *Frame {
	m := r.m
	fr := &Frame{Index: r.out.Frames, file: m, frame: f}
	sar := f.SampleAspectRatio()
	if !validSAR(sar) {
		sar = m.sar
	}
	fr.Width, fr.Height = displaySize(f.Width(), f.Height(), sar)
	if m.info.Rotation == 90 || m.info.Rotation == 270 {
		fr.Width, fr.Height = fr.Height, fr.Width
	}
	return fr
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

// outcome judges the finished pass: no frame at all is an error; otherwise
// Damage lists what was wrong (read errors, concealed decode errors,
// FFmpeg's complaints, a stream that stops short of its duration).
func (r *frameReader) outcome() (Outcome, error) {
	m := r.m
	if r.out.Frames == 0 {
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
		why = append(why, fmt.Sprintf("%d of %d frames decoded with errors", r.damagedFrames, r.out.Frames))
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

// RGB writes the frame, upright and scaled to w×h, as packed RGB24 into
// dst (len ≥ w*h*3). Buffers and scalers are reused between calls.
func (k *Frame) RGB(w, h int, dst []byte) error {
	if len(dst) < w*h*3 {
		return fmt.Errorf("rgb buffer too small: %d < %d", len(dst), w*h*3)
	}
	return k.file.conv.toRGB(k.frame, k.file.info.Rotation, k.file.info.Mirrored, w, h, dst)
}
