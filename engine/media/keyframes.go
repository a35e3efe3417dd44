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

	pkt := astiav.AllocPacket()
	frame := astiav.AllocFrame()
	openObjects.Add(2)
	defer func() {
		pkt.Free()
		frame.Free()
		openObjects.Add(-2)
	}()

	var (
		out           Outcome
		vidx          = m.stream.Index()
		tb            = m.stream.TimeBase()
		start         = m.stream.StartTime()
		packets       int64   // video packets seen, key or not
		lastEnd       float64 // end of the last video packet, seconds from start
		indexTimes    bool    // packets carry no timestamps: time = packet index / fps
		damagedFrames int     // keyframes the decoder concealed errors in
		readErr       error
	)
	if start == astiav.NoPtsValue {
		start = 0
	}

	emit := func() error {
		for {
			err := m.cc.ReceiveFrame(frame)
			if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
				return nil
			}
			if err != nil {
				m.damage.add("decode: " + err.Error())
				return nil
			}
			if frameDamaged(frame) {
				damagedFrames++
			}
			if m.info.Rotation == 0 && !m.info.Mirrored {
				// No orientation in the container, but the frame may carry
				// one: a phone photo's EXIF orientation.
				if r, mirrored := orientationOfFrame(frame); r != 0 || mirrored {
					m.info.Rotation, m.info.Mirrored = r, mirrored
					if r == 90 || r == 270 {
						m.info.Width, m.info.Height = m.info.Height, m.info.Width
					}
				}
			}
			kf := &Keyframe{Index: out.Keyframes, file: m, frame: frame, Width: m.info.Width, Height: m.info.Height}
			kf.Time = m.frameTime(frame, tb, start, indexTimes)
			sar := frame.SampleAspectRatio()
			if !validSAR(sar) {
				sar = m.sar
			}
			kf.Width, kf.Height = displaySize(frame.Width(), frame.Height(), sar)
			if m.info.Rotation == 90 || m.info.Rotation == 270 {
				kf.Width, kf.Height = kf.Height, kf.Width
			}
			out.Keyframes++
			err = fn(kf)
			frame.Unref()
			if err != nil {
				return err
			}
		}
	}

	send := func(p *astiav.Packet) error {
		for {
			err := m.cc.SendPacket(p)
			if errors.Is(err, astiav.ErrEagain) {
				// The decoder is full: drain it, then resend.
				if err := emit(); err != nil {
					return err
				}
				continue
			}
			if err != nil && !errors.Is(err, astiav.ErrEof) {
				m.damage.add("decode: " + err.Error())
			}
			return emit()
		}
	}

	for {
		if err := m.ctxErr(ctx); err != nil {
			return out, err
		}
		err := m.fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			break
		}
		if err != nil {
			if cerr := m.ctxErr(ctx); cerr != nil {
				return out, cerr
			}
			readErr = err
			break
		}
		if pkt.StreamIndex() != vidx {
			pkt.Unref()
			continue
		}
		packets++
		ts := pkt.Pts()
		if ts == astiav.NoPtsValue {
			ts = pkt.Dts()
		}
		if ts != astiav.NoPtsValue {
			if end := float64(ts-start+pkt.Duration()) * tb.Float64(); end > lastEnd {
				lastEnd = end
			}
		}
		if !pkt.Flags().Has(astiav.PacketFlagKey) {
			pkt.Unref()
			continue
		}
		if pkt.Pts() == astiav.NoPtsValue && pkt.Dts() == astiav.NoPtsValue {
			// Raw elementary streams (.h264) carry no timestamps: number the
			// packets and turn the number into seconds with the frame rate.
			indexTimes = true
			pkt.SetPts(packets - 1)
		}
		err = send(pkt)
		pkt.Unref()
		if err != nil {
			return out, err
		}
	}
	if err := send(nil); err != nil {
		return out, err
	}
	if err := m.ctxErr(ctx); err != nil {
		return out, err
	}

	if out.Keyframes == 0 {
		msg := "no decodable keyframe"
		if readErr != nil {
			msg += ": " + readErr.Error()
		} else if d := m.damage.messages(); len(d) > 0 {
			msg += ": " + strings.Join(d, "; ")
		}
		return out, errors.New(msg)
	}
	var why []string
	if readErr != nil {
		why = append(why, "read error: "+readErr.Error())
	}
	if damagedFrames > 0 {
		why = append(why, fmt.Sprintf("%d of %d keyframes decoded with errors", damagedFrames, out.Keyframes))
	}
	why = append(why, m.damage.messages()...)
	if d := m.info.Duration; !m.info.Still && d > 0 && lastEnd > 0 && d-lastEnd > 1 && d-lastEnd > 0.05*d {
		why = append(why, fmt.Sprintf("video stream ends at %.2f s of %.2f s (truncated)", lastEnd, d))
	}
	out.Damage = strings.Join(why, "; ")
	return out, nil
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
