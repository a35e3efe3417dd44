package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vidsift/vidsift/engine/scan"
	"github.com/vidsift/vidsift/engine/settings"
	"github.com/vidsift/vidsift/internal/testenv"
)

func sample() ([]scan.FileResult, scan.Summary) {
	person := scan.Detection{ClassID: 0, Class: "person", Confidence: 0.87654, Box: scan.Box{1.26, 2, 30.04, 40}}
	dog := scan.Detection{ClassID: 16, Class: "dog", Confidence: 0.5, Box: scan.Box{5, 5, 10, 10}}
	results := []scan.FileResult{
		{Path: "/v/z.mp4", Status: scan.StatusOK, Media: scan.MediaInfo{Container: "mp4", Codec: "h264", Width: 640, Height: 360, Duration: 10, FPS: 25},
			Frames: []scan.Frame{
				{Index: 0, Time: 0, Kind: scan.KeyFrame, Detections: []scan.Detection{person}},
				{Index: 1, Time: 2, Kind: scan.GapFrame, Detections: []scan.Detection{person, dog}},
				{Index: 2, Time: 4, Kind: scan.KeyFrame, Detections: nil},
				{Index: 3, Time: 6, Kind: scan.CutFrame, Reused: true, SameAs: 0, Detections: []scan.Detection{person}}, // looked like frame 0
			}},
		{Path: "=evil,\"name\"\n.mp4", Status: scan.StatusPartial, Error: "truncated",
			Media: scan.MediaInfo{Width: 100, Height: 50}, Frames: []scan.Frame{{Index: 0, Time: 1.5, Kind: scan.KeyFrame, Detections: []scan.Detection{dog}}}},
		{Path: "/v/a.mp4", Status: scan.StatusFailed, Error: "empty file (0 bytes)"},
	}
	var sum scan.Summary
	for _, r := range results {
		sum.Add(r, false)
	}
	sum.ModelLoads, sum.Elapsed = 1, 1500*time.Millisecond
	return results, sum
}

func TestBuildJSON(t *testing.T) {
	res, sum := sample()
	// Thresholds arrive as float32s widened, as the CLI and app pass them.
	made := scan.Params{Model: scan.Model{SHA256: "abc", InputW: 640, InputH: 384, Names: []string{"person"}}, Confidence: 0.3, IoU: 0.7,
		Sampling: scan.Sampling{MaxGap: 2, MinGap: 0.5}, ReuseSimilar: true}
	doc := Build(res, sum, Options{Asked: &made, Workers: 2, Threads: 2, Classes: map[string]bool{"person": true, "dog": true}})
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, doc); err != nil {
		t.Fatal(err)
	}
	if want := `"confidence": 0.3,
    "iou": 0.7,
    "classes": [
      "dog",
      "person"
    ],
    "workers": 2,
    "threads": 2,
    "max_gap_s": 2,
    "min_gap_s": 0.5,
    "reuse_similar": true`; !strings.Contains(buf.String(), want) {
		t.Errorf("settings not as a person wrote them:\n%s", buf.String()[:400])
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["schema"] != "vidsift.scan/v2" {
		t.Errorf("schema %v", got["schema"])
	}
	if _, err := time.Parse(time.RFC3339, got["created"].(string)); err != nil {
		t.Errorf("created: %v", err)
	}
	files := got["files"].([]any)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.(map[string]any)["path"].(string))
	}
	if paths[0] != "/v/a.mp4" || paths[1] != "/v/z.mp4" || paths[2] != "=evil,\"name\"\n.mp4" {
		t.Errorf("files not sorted by path: %q", paths)
	}
	z := files[1].(map[string]any)
	frames := z["frames"].([]any)
	kf := frames[1].(map[string]any)
	if kf["key"] != false || kf["kind"] != "gap" || kf["same_as"] != nil || frames[0].(map[string]any)["key"] != true || frames[0].(map[string]any)["kind"] != "key" {
		t.Errorf("a gap frame after a keyframe: %v, %v", frames[0], kf)
	}
	if reused := frames[3].(map[string]any); reused["same_as"] != 0.0 || len(reused["detections"].([]any)) != 1 || reused["kind"] != "cut" || reused["key"] != false {
		t.Errorf("a reused cut frame: %v", reused)
	}
	d := kf["detections"].([]any)[0].(map[string]any)
	if d["confidence"] != 0.8765 || d["box"].([]any)[0] != 1.3 || d["class_id"] != 0.0 {
		t.Errorf("detection %v", d)
	}
	if kf["thumbnail"] != nil {
		t.Errorf("thumbnail without --thumbs: %v", kf["thumbnail"])
	}
	spans, _ := json.Marshal(z["spans"])
	want := `[{"class":"person","end_s":2,"max_confidence":0.8765,"start_s":0},{"class":"dog","end_s":2,"max_confidence":0.5,"start_s":2},{"class":"person","end_s":6,"max_confidence":0.8765,"start_s":6}]`
	if string(spans) != want {
		t.Errorf("spans\n got %s\nwant %s", spans, want)
	}
	failed := files[0].(map[string]any)
	if failed["status"] != "failed" || failed["error"] != "empty file (0 bytes)" || len(failed["frames"].([]any)) != 0 {
		t.Errorf("failed file %v", failed)
	}
	s := got["summary"].(map[string]any)
	if s["files"] != 3.0 || s["skipped"] != 0.0 || s["detections"] != 5.0 || s["model_loads"] != 1.0 || s["elapsed_s"] != 1.5 ||
		s["frames"] != 5.0 || s["keyframes"] != 3.0 || s["cuts"] != 1.0 || s["inferences"] != 4.0 {
		t.Errorf("summary %v", s)
	}
}

func TestClassFilter(t *testing.T) {
	res, sum := sample()
	doc := Build(res, sum, Options{Classes: map[string]bool{"dog": true}})
	if doc.Summary.Detections != 2 {
		t.Errorf("%d detections after filtering to dog, want 2", doc.Summary.Detections)
	}
	for _, f := range doc.Files {
		for _, s := range f.Spans {
			if s.Class != "dog" {
				t.Errorf("span of %s survived the filter", s.Class)
			}
		}
	}
}

func TestCSV(t *testing.T) {
	res, sum := sample()
	var buf bytes.Buffer
	if err := EncodeCSV(&buf, Build(res, sum, Options{})); err != nil {
		t.Fatal(err)
	}
	encoded := buf.Bytes()
	rows, err := csv.NewReader(bytes.NewReader(encoded)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "path,time_s,frame,key,class,class_id,confidence,x1,y1,x2,y2,frame_width,frame_height,kind,text,end_s,track,language" {
		t.Errorf("header %v", rows[0])
	}
	if len(rows) != 1+5 {
		t.Fatalf("%d rows, want 6", len(rows))
	}
	if got := strings.Join(rows[1], ","); got != "/v/z.mp4,0,0,true,person,0,0.8765,1.3,2,30,40,640,360,key,,,," {
		t.Errorf("row %s", got)
	}
	// The hostile name survives RFC 4180 quoting and is defused.
	if got := strings.Join(rows[2][2:5], ",") + "," + rows[2][13]; got != "1,false,person,gap" {
		t.Errorf("gap frame row %s", got)
	}
	if got := strings.Join(rows[4][2:5], ",") + "," + rows[4][13]; got != "3,false,person,cut" {
		t.Errorf("cut frame row %s", got)
	}
	if got := rows[5]; got[0] != "'=evil,\"name\"\n.mp4" || got[1] != "1.5" || got[4] != "dog" {
		t.Errorf("hostile row %q", got)
	}
	// DecodeCSV reads the same rows back, and refuses what is not an export.
	back, err := DecodeCSV(bytes.NewReader(encoded))
	if err != nil || len(back) != 5 || strings.Join(back[4], "|") != strings.Join(rows[5], "|") {
		t.Errorf("DecodeCSV: %d rows, %v", len(back), err)
	}
	for _, bad := range []string{"", "a,b\n1,2\n"} {
		if _, err := DecodeCSV(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "not a vidsift CSV") {
			t.Errorf("DecodeCSV(%q): %v", bad, err)
		}
	}
}

// TestSubtitlesOut: a file's cues are in the JSON, by track or sidecar,
// and in the CSV as rows of kind cue, whose text is never a formula.
func TestSubtitlesOut(t *testing.T) {
	res := []scan.FileResult{{Path: "/v/a.mkv", Status: scan.StatusOK, SubtitlesRead: true, Subtitles: []scan.Cue{
		{Track: 2, Language: "eng", Start: 1.0004, End: 2.5, Text: "Fire! Get out."},
		{Track: -1, Sidecar: "a.fr.srt", Language: "fr", Start: 3, End: 4, Text: `=HYPERLINK("http://x")`},
	}}}
	doc := Build(res, scan.Summary{}, Options{})
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, doc); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Files []struct {
			Subtitles []map[string]any `json:"subtitles"`
		} `json:"files"`
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(back.Files[0].Subtitles); got != `[map[end_s:2.5 language:eng start_s:1 text:Fire! Get out. track:2] map[end_s:4 language:fr sidecar:a.fr.srt start_s:3 text:=HYPERLINK("http://x") track:sidecar]]` {
		t.Errorf("JSON subtitles %s", got)
	}
	buf.Reset()
	if err := EncodeCSV(&buf, doc); err != nil {
		t.Fatal(err)
	}
	rows, err := DecodeCSV(&buf)
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	if got := strings.Join(rows[0], "|"); got != "/v/a.mkv|1||||||||||||cue|Fire! Get out.|2.5|2|eng" {
		t.Errorf("cue row %s", got)
	}
	if got := strings.Join(rows[1][13:], "|"); got != `cue|'=HYPERLINK("http://x")|4|sidecar|fr` {
		t.Errorf("sidecar cue row %s", got)
	}
}

func TestSafeText(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+x": "'+x", "-x": "'-x", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx", "/ok": "/ok", "": ""} {
		if got := SafeText(in); got != want {
			t.Errorf("SafeText(%q) = %q want %q", in, got, want)
		}
	}
}

func TestAtomicWrite(t *testing.T) {
	res, sum := sample()
	doc := Build(res, sum, Options{})
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	if err := WriteJSON(p, doc); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(filepath.Join(dir, "out.csv"), doc); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temp files left: %v", entries)
	}
	err := WriteJSON(filepath.Join(dir, "no", "such", "dir.json"), doc)
	if err == nil || !strings.Contains(err.Error(), "cannot write") {
		t.Errorf("missing folder: %v", err)
	}
}

func TestThumbPath(t *testing.T) {
	a := ThumbPath("/t", "/v/../../etc/passwd", 3)
	if filepath.Dir(filepath.Dir(a)) != "/t" || filepath.Base(a) != "3.jpg" || len(filepath.Base(filepath.Dir(a))) != 16 {
		t.Errorf("%s", a)
	}
	if ThumbPath("/t", "/v/a.mp4", 0) == ThumbPath("/t", "/v/b.mp4", 0) {
		t.Error("different files share a thumbnail folder")
	}
}

// TestBuildSettingsMadeWith: the settings block says what the files were
// made with; where they differ (results from the library) it names the
// settings that differ and every file says its own, never one invented
// value; a filter above the scan's confidence is what is reported.
func TestBuildSettingsMadeWith(t *testing.T) {
	res, sum := sample()
	base := scan.Params{Model: scan.Model{SHA256: "abc", InputW: 640, InputH: 640}, Confidence: 0.25, IoU: 0.7,
		Sampling: scan.Sampling{MaxGap: 2, MinGap: 0.5}, ReuseSimilar: true}
	same := map[string]scan.Params{}
	for _, r := range res {
		same[r.Path] = base
	}
	doc := Build(res, sum, Options{Params: same})
	testenv.SettingsHold(t, doc.Settings, `{"confidence":0.25,"iou":0.7,"classes":[],"workers":0,"threads":0,"max_gap_s":2,"min_gap_s":0.5,"reuse_similar":true,"cuts":false,"rect":false}`)
	if doc.Settings.Mixed != nil || doc.Model.SHA256 != "abc" || doc.Model.InputSize != [2]int{640, 640} || doc.Files[0].Settings != nil {
		t.Errorf("one set of settings: mixed %v, model %+v, file settings %+v", doc.Settings.Mixed, doc.Model, doc.Files[0].Settings)
	}
	// Written in the settings table's order, every setting with a JSON name.
	var order []string
	for _, row := range settings.Table {
		if row.JSON != "" {
			order = append(order, `"`+row.JSON+`":`)
		}
	}
	if text := jsonText(t, doc.Settings); !inOrder(text, order) {
		t.Errorf("settings %s not in the table's order %v", text, order)
	}
	if doc := Build(res, sum, Options{Params: same, MinConfidence: 0.6}); doc.Settings.Number("confidence") != 0.6 {
		t.Errorf("exported at 0.6, the settings say %v", doc.Settings.Number("confidence"))
	}
	mixed := map[string]scan.Params{}
	for path, p := range same {
		mixed[path] = p
	}
	keyframes := base
	keyframes.Sampling.MaxGap, keyframes.ReuseSimilar = 0, false
	mixed["/v/z.mp4"] = keyframes
	doc = Build(res, sum, Options{Params: mixed})
	testenv.SettingsHold(t, doc.Settings, `{"confidence":0.25,"iou":0.7,"max_gap_s":0,"min_gap_s":0.5,"reuse_similar":false,"mixed":["max_gap_s","reuse_similar"]}`)
	if doc.Model.SHA256 != "abc" {
		t.Errorf("mixed settings, model %+v", doc.Model)
	}
	for _, f := range doc.Files {
		want := `{"model_sha256":"abc","input_size":[640,640],"confidence":0.25,"iou":0.7,"max_gap_s":2,"min_gap_s":0.5,"reuse_similar":true,"cuts":false,"rect":false}`
		if f.Path == "/v/z.mp4" {
			want = `{"model_sha256":"abc","input_size":[640,640],"confidence":0.25,"iou":0.7,"max_gap_s":0,"min_gap_s":0.5,"reuse_similar":false,"cuts":false,"rect":false}`
		}
		if f.Settings == nil {
			t.Fatalf("%s: no settings of its own", f.Path)
		}
		testenv.SettingsHold(t, f.Settings, want)
	}
	if doc := Build(res, sum, Options{}); doc.Settings.Number("confidence") != 0 || doc.Settings.Mixed != nil || doc.Model.SHA256 != "" {
		t.Errorf("nothing known of how the files were made, yet the settings say %s", jsonText(t, doc.Settings))
	}
	// A document reads back as it was written.
	var back Document
	if err := json.Unmarshal([]byte(jsonText(t, doc)), &back); err != nil || jsonText(t, back) != jsonText(t, doc) {
		t.Errorf("read back: %v\n%s\n%s", err, jsonText(t, back), jsonText(t, doc))
	}
}

// inOrder reports whether each of parts is in text, in order.
func inOrder(text string, parts []string) bool {
	for _, p := range parts {
		i := strings.Index(text, p)
		if i < 0 {
			return false
		}
		text = text[i+len(p):]
	}
	return true
}

// jsonText is v as compact JSON.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTextOut: the lines of text read in a frame are in the JSON (box in
// frame pixels as a detection's; no "text" where a frame shows none), in
// the CSV as rows of kind text after their frame's detections, whose text
// is never a formula, and the settings say what the text was read with.
func TestTextOut(t *testing.T) {
	person := scan.Detection{ClassID: 0, Class: "person", Confidence: 0.9, Box: scan.Box{1, 2, 3, 4}}
	res := []scan.FileResult{{Path: "/v/street.mp4", Status: scan.StatusOK, Media: scan.MediaInfo{Width: 1920, Height: 1080},
		TextKey: "read",
		Frames: []scan.Frame{
			{Index: 0, Time: 0, Kind: scan.KeyFrame, Detections: []scan.Detection{person}, Text: []scan.TextLine{
				{Text: "EMERGENCY EXIT", Confidence: 0.98768, Box: scan.Box{100.04, 20, 400.26, 60}},
				{Text: `=HYPERLINK("http://x","click")`, Confidence: 0.6, Box: scan.Box{0, 900, 1920, 960}},
			}},
			{Index: 1, Time: 2, Kind: scan.GapFrame, Detections: []scan.Detection{person}},
			{Index: 2, Time: 4.5, Kind: scan.CutFrame, Text: []scan.TextLine{{Text: "-50% اخرج 出口", Confidence: 0.7, Box: scan.Box{5, 5, 50, 25}}}},
		}}}
	made := scan.Params{Model: scan.Model{SHA256: "abc", InputW: 640, InputH: 640}, Confidence: 0.25, IoU: 0.7,
		Text: scan.Text{On: true, Models: "ocr", DetectSide: 960, MinConfidence: 0.5}}
	doc := Build(res, scan.Summary{}, Options{Asked: &made, Classes: map[string]bool{"dog": true}}) // the class filter leaves text alone
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, doc); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Settings map[string]any `json:"settings"`
		Files    []struct {
			Frames []map[string]any `json:"frames"`
		} `json:"files"`
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	frames := back.Files[0].Frames
	if got := jsonText(t, frames[0]["text"]); got != `[{"box":[100,20,400.3,60],"confidence":0.9877,"text":"EMERGENCY EXIT"},{"box":[0,900,1920,960],"confidence":0.6,"text":"=HYPERLINK(\"http://x\",\"click\")"}]` {
		t.Errorf("frame 0 text %s", got)
	}
	if _, ok := frames[1]["text"]; ok {
		t.Errorf("a frame that shows no text has a text field: %v", frames[1])
	}
	if got := jsonText(t, frames[2]["text"]); got != `[{"box":[5,5,50,25],"confidence":0.7,"text":"-50% اخرج 出口"}]` {
		t.Errorf("frame 2 text %s", got)
	}
	for name, want := range map[string]any{"text": true, "text_side": 960.0, "text_confidence": 0.5} {
		if got := back.Settings[name]; got != want {
			t.Errorf("settings %s: %v, want %v", name, got, want)
		}
	}

	buf.Reset()
	if err := EncodeCSV(&buf, doc); err != nil {
		t.Fatal(err)
	}
	rows, err := DecodeCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join(r, "|"))
	}
	want := []string{ // the class filter keeps no person: text rows only
		`/v/street.mp4|0|0|true|||0.9877|100|20|400.3|60|1920|1080|text|EMERGENCY EXIT|||`,
		`/v/street.mp4|0|0|true|||0.6|0|900|1920|960|1920|1080|text|'=HYPERLINK("http://x","click")|||`,
		`/v/street.mp4|4.5|2|false|||0.7|5|5|50|25|1920|1080|text|'-50% اخرج 出口|||`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("CSV rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// With the detections kept, a frame's detections come before its text.
	buf.Reset()
	if err := EncodeCSV(&buf, Build(res, scan.Summary{}, Options{})); err != nil {
		t.Fatal(err)
	}
	if rows, err = DecodeCSV(&buf); err != nil || len(rows) != 5 || rows[0][13] != "key" || rows[1][13] != "text" || rows[3][13] != "gap" || rows[4][13] != "text" {
		t.Errorf("rows in frame order, detections first: %v %q", err, rows)
	}
}
