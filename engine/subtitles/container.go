package subtitles

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/asticode/go-astiav"
	"github.com/vidsift/vidsift/engine/media"
)

// bitmapCodecs are subtitle codecs whose cues are pictures.
var bitmapCodecs = map[string]bool{
	"dvd_subtitle": true, "hdmv_pgs_subtitle": true, "dvb_subtitle": true, "xsub": true,
}

// textTrack is one text subtitle stream being read.
type textTrack struct {
	track    *Track
	timeBase float64 // seconds per pts unit
	cues     []Cue
	open     int // cues[open:] wait for an end (packets without a duration)
	damaged  int // packets that were not text
	cut      int // cues cut at MaxCueRunes
	full     bool
}

func readContainer(ctx context.Context, path string, opts Options) (Result, error) {
	var res Result
	st, err := os.Stat(path)
	if err != nil {
		return res, err
	}
	if !st.Mode().IsRegular() {
		return res, fmt.Errorf("not a regular file (%s)", media.FileKind(st.Mode()))
	}
	if st.Size() == 0 {
		return res, errors.New("empty file (0 bytes)")
	}
	fc := astiav.AllocFormatContext()
	if fc == nil {
		return res, errors.New("cannot allocate format context")
	}
	defer fc.Free()
	stopLog := media.WatchLog(fc, path, opts.Log)
	defer stopLog()
	intr := fc.SetInterruptCallback()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			intr.Interrupt()
		case <-done:
		}
	}()

	if err := fc.OpenInput(path, nil, nil); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return res, cerr
		}
		return res, fmt.Errorf("cannot open: %w", err)
	}
	defer fc.CloseInput()
	// Most videos have no subtitle stream, and the headers say so: then
	// nothing is probed (FindStreamInfo decodes frames: 75 ms for a 4K
	// file, which the scan's own open has paid already).
	if !slices.ContainsFunc(fc.Streams(), func(s *astiav.Stream) bool {
		return s.CodecParameters().MediaType() == astiav.MediaTypeSubtitle
	}) {
		return res, nil
	}
	if err := fc.FindStreamInfo(nil); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return res, cerr
		}
		return res, fmt.Errorf("cannot read stream info: %w", err)
	}

	origin := originOf(fc)
	tracks := map[int]*textTrack{}
	for _, s := range fc.Streams() {
		par := s.CodecParameters()
		if par.MediaType() != astiav.MediaTypeSubtitle {
			continue
		}
		t := Track{Index: s.Index(), Codec: par.CodecID().Name(), Language: languageTag(s)}
		switch {
		case bitmapCodecs[t.Codec]:
			t.Bitmap = true
		case textCodec(t.Codec):
		default:
			t.Err = fmt.Errorf("track %d: %s subtitles are not read", t.Index, t.Codec)
		}
		res.Tracks = append(res.Tracks, t)
	}
	for i := range res.Tracks {
		if t := &res.Tracks[i]; !t.Bitmap && t.Err == nil {
			tracks[t.Index] = &textTrack{track: t, timeBase: fc.Streams()[t.Index].TimeBase().Float64()}
		}
	}
	if len(tracks) == 0 {
		return res, nil // nothing to read: the packets are not looked at
	}

	pkt := astiav.AllocPacket()
	defer pkt.Free()
	var readErr error
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		err := fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		if t := tracks[pkt.StreamIndex()]; t != nil && !t.full {
			t.add(pkt, origin)
		}
		pkt.Unref()
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	end := -1.0
	if d := fc.Duration(); d > 0 {
		end = float64(d)/float64(astiav.TimeBase) - origin
	}
	for i := range res.Tracks {
		t := tracks[res.Tracks[i].Index]
		if t == nil {
			continue
		}
		t.closeOpen(end)
		sort.SliceStable(t.cues, func(a, b int) bool { return t.cues[a].Start < t.cues[b].Start })
		t.track.Cues = len(t.cues)
		res.Cues = append(res.Cues, t.cues...)
		res.Warnings = append(res.Warnings, t.warnings()...)
	}
	damage := strings.Join(stopLog(), "; ")
	var last float64
	for _, c := range res.Cues {
		last = max(last, c.Start)
	}
	if readErr != nil {
		if damage != "" {
			return res, fmt.Errorf("reading stopped after %.3f s: %w (%s)", last, readErr, damage)
		}
		return res, fmt.Errorf("reading stopped after %.3f s: %w", last, readErr)
	}
	if damage != "" {
		res.Warnings = append(res.Warnings, "damaged: "+damage)
	}
	return res, nil
}

func textCodec(name string) bool {
	switch name {
	case "subrip", "srt", "text", "ass", "ssa", "mov_text", "webvtt":
		return true
	}
	return false
}

// languageTag is the stream's language tag, "" for none or "und".
func languageTag(s *astiav.Stream) string {
	md := s.Metadata()
	if md == nil {
		return ""
	}
	e := md.Get("language", nil, 0)
	if e == nil {
		return ""
	}
	if v := strings.TrimSpace(e.Value()); v != "und" {
		return v
	}
	return ""
}

// originOf is time 0 in seconds of the container's clock: the start of its
// largest video stream (where engine/media counts frame times from), else
// the container's start.
func originOf(fc *astiav.FormatContext) float64 {
	var best *astiav.Stream
	for _, s := range fc.Streams() {
		par := s.CodecParameters()
		if par.MediaType() != astiav.MediaTypeVideo || media.IsAttachedPic(s) {
			continue
		}
		if best == nil || par.Width()*par.Height() > best.CodecParameters().Width()*best.CodecParameters().Height() {
			best = s
		}
	}
	if best != nil && best.StartTime() != astiav.NoPtsValue {
		return float64(best.StartTime()) * best.TimeBase().Float64()
	}
	if st := fc.StartTime(); st != astiav.NoPtsValue {
		return float64(st) / float64(astiav.TimeBase)
	}
	return 0
}

// add turns one packet into a cue.
func (t *textTrack) add(pkt *astiav.Packet, origin float64) {
	ts := pkt.Pts()
	if ts == astiav.NoPtsValue {
		ts = pkt.Dts()
	}
	if ts == astiav.NoPtsValue {
		t.damaged++
		return
	}
	raw, ok := t.payload(pkt.Data())
	if !ok {
		t.damaged++
		return
	}
	start := float64(ts)*t.timeBase - origin
	// A cue without a duration (SubRip in some containers) ends where the
	// next one starts.
	for i := t.open; i < len(t.cues); i++ {
		t.cues[i].End = max(t.cues[i].Start, start)
	}
	t.open = len(t.cues)
	text, cut := finish(raw)
	if text == "" {
		return // mov_text's gaps, an empty cue
	}
	if cut {
		t.cut++
	}
	if len(t.cues) >= MaxCuesPerTrack {
		t.full = true
		return
	}
	c := Cue{Track: t.track.Index, Language: t.track.Language, Start: start, End: start}
	if d := pkt.Duration(); d > 0 {
		c.End = start + float64(d)*t.timeBase
		t.open = len(t.cues) + 1
	}
	c.Text = text
	t.cues = append(t.cues, c)
}

// payload is a packet's text with the codec's markup stripped; not ok for
// a packet that is not text (damage).
func (t *textTrack) payload(data []byte) (string, bool) {
	if t.track.Codec == "mov_text" {
		// A 16-bit big-endian length, the UTF-8 text, then style boxes.
		if len(data) < 2 {
			return "", false
		}
		n := int(binary.BigEndian.Uint16(data))
		if n > len(data)-2 {
			return "", false
		}
		data = data[2 : 2+n]
	}
	s := string(data)
	if !utf8.ValidString(s) || binaryText(s) {
		return "", false
	}
	switch t.track.Codec {
	case "ass", "ssa":
		text, ok := assText(s)
		if !ok {
			return "", false
		}
		return cleanASS(text), true
	case "webvtt":
		return cleanWebVTT(s), true
	case "mov_text":
		return s, true
	}
	return cleanSubRip(s), true
}

// closeOpen ends the cues still waiting for one at the end of the file
// (end < 0: unknown, they end where they start).
func (t *textTrack) closeOpen(end float64) {
	for i := t.open; i < len(t.cues); i++ {
		t.cues[i].End = max(t.cues[i].Start, end)
	}
	t.open = len(t.cues)
}

func (t *textTrack) warnings() []string {
	var w []string
	name := fmt.Sprintf("track %d (%s)", t.track.Index, t.track.Codec)
	if t.damaged > 0 {
		w = append(w, fmt.Sprintf("%s: %d packet(s) skipped: not text (damaged?)", name, t.damaged))
	}
	if t.cut > 0 {
		w = append(w, fmt.Sprintf("%s: %d cue(s) cut at %d characters", name, t.cut, MaxCueRunes))
	}
	if t.full {
		w = append(w, fmt.Sprintf("%s: read up to %d cues, the rest left out", name, MaxCuesPerTrack))
	}
	return w
}
