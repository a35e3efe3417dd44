package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/ocr"
	"github.com/vidsift/vidsift/engine/pipeline"
	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/store"
)

// TextReport is what reading text costs and finds: the clips scanned at
// the defaults with text off and on (wall time end to end, best of
// textRounds), the text-only pass that gives a library's kept results
// their text, and the by-hand pipeline (ffmpeg a frame every 2 s, then
// tesseract) in the same run; words found against TextTruth where a clip
// has an entry there.
type TextReport struct {
	Side      int     `json:"text_side"` // the text detector's side the scans used
	Files     int     `json:"files"`
	Frames    int     `json:"frames"`       // analysed with text on
	Inferred  int     `json:"inferences"`   // of which the object model ran on
	TextRead  int     `json:"text_frames"`  // frames whose text was read (the others repeat a similar frame's)
	Cleared   int     `json:"text_cleared"` // of which the probe found without text
	Boxes     int     `json:"text_boxes"`   // text boxes found in them
	BoxesRead int     `json:"boxes_read"`   // of which read (the others looked as before)
	OffSec    float64 `json:"wall_text_off_s"`
	OnSec     float64 `json:"wall_text_on_s"`
	Ratio     float64 `json:"ratio_on_off"` // goal ≤ 1.6
	// PassSec is the text-only pass: a library holding every clip's
	// results scanned with text off, then a scan with text on.
	PassSec   float64 `json:"wall_text_only_pass_s"`
	PassRatio float64 `json:"ratio_pass_full"` // ÷ OnSec, a full scan with text
	ByHandSec float64 `json:"wall_by_hand_s"`
	// ByHandRatio is vidsift's scan with text and objects ÷ the by-hand
	// text reading alone.
	ByHandRatio float64 `json:"ratio_vidsift_by_hand"`
	Recall      Recall  `json:"recall"`
	ByHand      Recall  `json:"recall_by_hand"`
	ByHandErr   string  `json:"by_hand_error,omitempty"`
}

const textRounds = 2

func (rep *Report) textCosts(ctx context.Context, o Options) error {
	if o.TextModels == "" {
		return fmt.Errorf("no text models to measure (run `make setup`, or pass --text-models)")
	}
	m, err := detect.Load(o.Model, detect.Options{IntraOpThreads: 1})
	if err != nil {
		return err
	}
	defer m.Close()
	settings := scan.DefaultSettings()
	cpu := runtime.NumCPU()
	settings.Workers, settings.Threads = cpu, cpu
	if o.TextSide > 0 {
		settings.Text.DetectSide = o.TextSide
	}
	reader, err := ocr.Load(o.TextModels, ocr.Options{Session: detect.Options{IntraOpThreads: 1},
		DetectSide: settings.Text.DetectSide, MinConfidence: settings.Text.MinConfidence})
	if err != nil {
		return err
	}
	defer reader.Close()
	tr := &TextReport{Side: settings.Text.DetectSide, Files: len(o.Clips)}
	rep.Text = tr

	run := func(text bool, lib *store.Library) (scan.Summary, map[string]string, error) {
		s := settings
		s.Text.On = text
		cfg := pipeline.NewConfig(m, reader, s)
		if lib != nil {
			cfg.Library = lib.ForRun(cfg.Params, false)
			cfg.Thumbs = pipeline.JPEGThumbs
		}
		read := map[string]string{}
		var sum scan.Summary
		for ev := range pipeline.Run(ctx, cfg, o.Clips) {
			switch e := ev.(type) {
			case scan.FileFinished:
				var b strings.Builder
				for _, k := range e.Result.Frames {
					for _, l := range k.Text {
						b.WriteString(l.Text + "\n")
					}
				}
				read[e.Result.Path] = b.String()
			case scan.RunFinished:
				if e.Err != nil {
					return sum, nil, e.Err
				}
				sum = e.Summary
			}
		}
		if sum.Failed > 0 {
			return sum, nil, fmt.Errorf("%d of the files failed", sum.Failed)
		}
		return sum, read, nil
	}
	for round := range textRounds {
		o.Log("text: round %d of %d, %d files with text off, then on", round+1, textRounds, len(o.Clips))
		off, _, err := run(false, nil)
		if err != nil {
			return err
		}
		on, read, err := run(true, nil)
		if err != nil {
			return err
		}
		if round == 0 || off.Elapsed.Seconds() < tr.OffSec {
			tr.OffSec = off.Elapsed.Seconds()
		}
		if round == 0 || on.Elapsed.Seconds() < tr.OnSec {
			tr.OnSec = on.Elapsed.Seconds()
		}
		tr.Frames, tr.Inferred, tr.TextRead, tr.Cleared, tr.Boxes, tr.BoxesRead = on.Frames, on.Inferences, on.TextFrames, on.TextCleared, on.TextBoxes, on.TextRead
		if o.Truth != nil {
			tr.Recall = TextRecall(o.Truth, read)
		}
	}
	tr.Ratio = tr.OnSec / tr.OffSec

	o.Log("text: the text-only pass over a library of results scanned without text")
	dir, err := os.MkdirTemp("", "vidsift-bench-text-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lib, err := store.Open(filepath.Join(dir, store.FileName))
	if err != nil {
		return err
	}
	defer lib.Close()
	if _, _, err := run(false, lib); err != nil {
		return err
	}
	pass, _, err := run(true, lib)
	if err != nil {
		return err
	}
	if pass.Inferences != 0 {
		return fmt.Errorf("the text-only pass ran the object model %d times", pass.Inferences)
	}
	tr.PassSec = pass.Elapsed.Seconds()
	tr.PassRatio = tr.PassSec / tr.OnSec

	o.Log("text: by hand, ffmpeg (%s) and tesseract on every frame", ByHandEvery)
	read, took, err := ByHandText(ctx, o.Clips)
	if err != nil {
		// Reported, not fatal: the scans' figures stand on their own.
		tr.ByHandErr = err.Error()
		return nil
	}
	tr.ByHandSec = took.Seconds()
	tr.ByHandRatio = tr.OnSec / tr.ByHandSec
	if o.Truth != nil {
		tr.ByHand = TextRecall(o.Truth, read)
	}
	return nil
}
