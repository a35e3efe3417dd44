// Package results keeps what runs found, in memory, for a front end to
// browse: every analysed frame with a small JPEG thumbnail, every file's
// outcome, and filtered views (class, confidence, file name) computed
// without rescanning. It has no UI code; the app renders what it returns.
package results

import (
	"image"
	"sort"
	"strings"
	"sync"

	"github.com/vidsift/vidsift/engine/query"
	"github.com/vidsift/vidsift/engine/scan"
)

// Item is one analysed frame of a file.
type Item struct {
	ID   int // arrival order, 0-based
	Path string
	scan.Frame
	replaced bool // its file was scanned again: nothing shows it
}

// File is what is known about one file.
type File struct {
	Path   string
	Status scan.Status // "" while the file is being scanned
	Error  string
	Media  scan.MediaInfo
	Worker string // the cluster worker that scanned it ("" here)
	Items  []int  // item IDs in frame order
	// Params are what the result was made with, once it is finished.
	Params scan.Params
	// Subtitles are the file's cues, once it is finished.
	Subtitles []scan.Cue
}

// Query selects what is shown. The zero value shows everything.
type Query struct {
	Classes       map[string]bool // nil or empty: any class
	Wanted        map[string]bool // the classes the user asked for (the settings); nothing else is reported at all (nil or empty: all); Classes narrows within them
	MinConfidence float32         // at or below the scan's floor: frames without detections show too
	Name          string          // case-insensitive substring of the path
	GroupByFile   bool            // order by file, then frame, whatever Order says (the contact sheet)
	Order         Order           // the order frames are shown in (zero: as they arrived)
	// Expr, a find expression with its names resolved (engine/query),
	// shows every frame of the files where it holds, or with Together only
	// the frames where it does, as `vidsift find` decides (query.MatchFile):
	// a class counts where it is seen for at least MinDuration seconds.
	// Boxes are then those of the classes it names positively. Set it
	// with Where.
	Expr        query.Expr
	Together    bool
	MinDuration float64
	positive    map[string]bool
}

// Order is an order Select returns frames in.
type Order int

const (
	ByArrival    Order = iota // as the frames were found (files finishing in any order)
	ByFile                    // by file path, then time in the file: a video's frames kept together
	ByConfidence              // the most confident detection shown first, then by file and time
)

// Where returns q narrowed by a find expression (nil: none).
func (q Query) Where(e query.Expr, together bool) Query {
	q.Expr, q.Together, q.positive = e, together, nil
	if e != nil {
		q.positive = map[string]bool{}
		for _, c := range query.Positive(e) {
			q.positive[c] = true
		}
	}
	return q
}

// Collection is safe for concurrent use: a run's goroutine adds while the UI reads.
type Collection struct {
	mu      sync.RWMutex
	items   []Item
	files   map[string]*File
	order   []string // file paths in the order they started
	thumbs  *ThumbStore
	floor   float32
	summary scan.Summary
}

// New returns an empty collection whose thumbnails spill to cacheDir once
// they use more than memBudget bytes.
func New(cacheDir string, memBudget int) *Collection {
	return &Collection{files: map[string]*File{}, thumbs: NewThumbStore(cacheDir, memBudget)}
}

// Reset forgets everything and sets the confidence floor of the next run.
func (c *Collection) Reset(floor float32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items, c.order, c.files = nil, nil, map[string]*File{}
	c.thumbs.Reset()
	c.floor = floor
	c.summary = scan.Summary{}
}

// Floor is the confidence the scan ran at.
func (c *Collection) Floor() float32 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.floor
}

// Add takes in one pipeline event. It reports whether what is shown may have changed.
func (c *Collection) Add(ev scan.Event) bool {
	switch e := ev.(type) {
	case scan.FileStarted:
		c.mu.Lock()
		f := c.file(e.Path)
		// Scanned again (a watch saw it change): its new frames replace
		// the old ones, which no view shows any more.
		for _, id := range f.Items {
			c.items[id].replaced = true
		}
		f.Items, f.Status, f.Error = nil, "", ""
		c.mu.Unlock()
	case scan.FrameAnalysed:
		// Compress outside the lock: it is the expensive part.
		var ref thumbRef
		var err error
		switch {
		case e.JPEG != nil: // already compressed: no second encode
			ref, err = c.thumbs.PutJPEG(e.JPEG)
		case e.Thumbnail != nil:
			ref, err = c.thumbs.Put(e.Thumbnail)
		}
		c.mu.Lock()
		id := len(c.items)
		c.items = append(c.items, Item{ID: id, Path: e.Path, Frame: e.Frame})
		if err == nil && (ref.data != nil || ref.file != "") {
			c.thumbs.bind(id, ref)
		}
		f := c.file(e.Path)
		f.Items = append(f.Items, id)
		sort.Slice(f.Items, func(i, j int) bool { return c.items[f.Items[i]].Index < c.items[f.Items[j]].Index })
		c.mu.Unlock()
	case scan.FileFinished:
		c.mu.Lock()
		f := c.file(e.Result.Path)
		f.Status, f.Error, f.Media, f.Worker, f.Params = e.Result.Status, e.Result.Error, e.Result.Media, e.Result.Worker, e.Params
		f.Subtitles = e.Result.Subtitles
		c.mu.Unlock()
	case scan.RunFinished:
		c.mu.Lock()
		c.summary = e.Summary
		c.mu.Unlock()
	default:
		return false
	}
	return true
}

func (c *Collection) file(path string) *File {
	f, ok := c.files[path]
	if !ok {
		f = &File{Path: path}
		c.files[path] = f
		c.order = append(c.order, path)
	}
	return f
}

// Len is the number of frames held.
func (c *Collection) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.items)
}

// Item returns one analysed frame.
func (c *Collection) Item(id int) Item {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.items[id]
}

// File returns one file's state.
func (c *Collection) File(path string) (File, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	f, ok := c.files[path]
	if !ok {
		return File{}, false
	}
	cp := *f
	cp.Items = append([]int(nil), f.Items...)
	return cp, true
}

// Thumbnail decodes the frame's stored thumbnail.
func (c *Collection) Thumbnail(id int) (image.Image, error) { return c.thumbs.Get(id) }

// Summary is the last finished run's summary.
func (c *Collection) Summary() scan.Summary {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.summary
}

// Shown returns the detections of item that q lets through.
func (q Query) Shown(item Item) []scan.Detection {
	var out []scan.Detection
	for _, d := range item.Detections {
		if q.keeps(d) {
			out = append(out, d)
		}
	}
	return out
}

func (q Query) keeps(d scan.Detection) bool {
	return q.counts(d) && (len(q.positive) == 0 || q.positive[d.Class])
}

// counts reports whether a detection counts for the expression: it passes
// the class and confidence filters.
func (q Query) counts(d scan.Detection) bool {
	return scan.Filter{Classes: q.Classes, MinConfidence: q.MinConfidence}.Keeps(d) && (len(q.Wanted) == 0 || q.Wanted[d.Class])
}

// fileMatches evaluates q's expression on every file as `vidsift find`
// does (query.Match, on the detections q counts): the files where it holds,
// with when (nil when q has none). Callers hold c.mu.
func (c *Collection) fileMatches(q Query) map[string][]query.Range {
	if q.Expr == nil {
		return nil
	}
	o := query.Options{MinConfidence: q.MinConfidence, MinDuration: q.MinDuration, Together: q.Together}
	out := map[string][]query.Range{}
	for path, f := range c.files {
		frames := make([]scan.Frame, len(f.Items))
		for i, id := range f.Items {
			it := c.items[id]
			frames[i] = scan.Frame{Index: it.Index, Time: it.Time, Text: it.Text}
			for _, d := range it.Detections {
				if q.counts(d) {
					frames[i].Detections = append(frames[i].Detections, d)
				}
			}
		}
		if ok, ranges := query.MatchFile(q.Expr, frames, f.Subtitles, o); ok {
			out[path] = ranges
		}
	}
	return out
}

// Matches returns the files where q's expression holds, with the ranges
// `vidsift find` reports for them (nil when q has none).
func (c *Collection) Matches(q Query) map[string][]query.Range {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.fileMatches(q)
}

func (c *Collection) matches(q Query, it Item, files map[string][]query.Range) bool {
	if it.replaced {
		return false
	}
	if q.Name != "" && !strings.Contains(strings.ToLower(it.Path), strings.ToLower(q.Name)) {
		return false
	}
	if q.Expr != nil {
		ranges, ok := files[it.Path]
		if !ok {
			return false
		}
		// Per file every frame of a matching file; together the frames
		// where the expression holds.
		return !q.Together || query.Within(ranges, it.Time)
	}
	if len(q.Classes) == 0 && len(q.Wanted) == 0 && q.MinConfidence <= c.floor {
		return true // nothing to narrow by: every frame, with or without detections
	}
	for _, d := range it.Detections {
		if q.keeps(d) {
			return true
		}
	}
	return false
}

// Select returns the IDs of the frames q shows, in display order.
func (c *Collection) Select(q Query) []int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	files := c.fileMatches(q)
	var ids []int
	if q.GroupByFile || q.Order != ByArrival {
		paths := append([]string(nil), c.order...)
		sort.Strings(paths)
		for _, p := range paths {
			for _, id := range c.files[p].Items { // in frame order
				if c.matches(q, c.items[id], files) {
					ids = append(ids, id)
				}
			}
		}
		if q.Order == ByConfidence && !q.GroupByFile {
			best := make(map[int]float32, len(ids))
			for _, id := range ids {
				for _, d := range q.Shown(c.items[id]) {
					best[id] = max(best[id], d.Confidence)
				}
			}
			sort.SliceStable(ids, func(i, j int) bool { return best[ids[i]] > best[ids[j]] })
		}
		return ids
	}
	for _, it := range c.items {
		if c.matches(q, it, files) {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// ClassCounts counts, per reported class, the frames that show it at
// q's confidence among those q's name filter lets through (q's class choice
// is ignored, so every class keeps its count while one is selected).
func (c *Collection) ClassCounts(q Query) map[string]int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	counts := map[string]int{}
	q.Classes = nil
	q = q.Where(nil, false)
	for _, it := range c.items {
		if it.replaced || q.Name != "" && !strings.Contains(strings.ToLower(it.Path), strings.ToLower(q.Name)) {
			continue
		}
		seen := map[string]bool{}
		for _, d := range it.Detections {
			if q.keeps(d) && !seen[d.Class] {
				seen[d.Class] = true
				counts[d.Class]++
			}
		}
	}
	return counts
}

// Words counts the words of what was read and said, folded as text: and
// said: compare them (query.Fold): per word, the frames whose text has
// it, and the cues that say it.
func (c *Collection) Words() (text, said map[string]int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	text, said = map[string]int{}, map[string]int{}
	count := func(into map[string]int, lines ...string) {
		seen := map[string]bool{}
		for _, l := range lines {
			for _, w := range strings.Fields(query.Fold(l)) {
				if !seen[w] {
					seen[w] = true
					into[w]++
				}
			}
		}
	}
	for _, it := range c.items {
		if it.replaced || len(it.Text) == 0 {
			continue
		}
		lines := make([]string, len(it.Text))
		for i, l := range it.Text {
			lines[i] = l.Text
		}
		count(text, lines...)
	}
	for _, f := range c.files {
		for _, cue := range f.Subtitles {
			count(said, cue.Text)
		}
	}
	return text, said
}

// Problems lists failed and partial files, by path.
func (c *Collection) Problems() []File {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []File
	for _, p := range c.order {
		if f := c.files[p]; f.Status == scan.StatusFailed || f.Status == scan.StatusPartial {
			out = append(out, *f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// FileCounts reports finished and known files.
func (c *Collection) FileCounts() (finished, known int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, f := range c.files {
		if f.Status != "" {
			finished++
		}
	}
	return finished, len(c.files)
}

// MadeWith says what each finished file was made with, by path.
func (c *Collection) MadeWith() map[string]scan.Params {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := map[string]scan.Params{}
	for p, f := range c.files {
		if f.Status != "" {
			out[p] = f.Params
		}
	}
	return out
}

// Results returns finished files as scan results for export. With a
// query, files and frames outside it are left out and detections are
// limited to what it shows.
func (c *Collection) Results(q *Query) []scan.FileResult {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var files map[string][]query.Range
	if q != nil {
		files = c.fileMatches(*q)
	}
	var out []scan.FileResult
	for _, p := range c.order {
		f := c.files[p]
		if f.Status == "" {
			continue // unfinished files are not results
		}
		r := scan.FileResult{Path: f.Path, Status: f.Status, Error: f.Error, Media: f.Media, Worker: f.Worker}
		for _, id := range f.Items {
			it := c.items[id]
			if q != nil && !c.matches(*q, it, files) {
				continue
			}
			k := it.Frame
			if q != nil {
				k.Detections = q.Shown(it)
			}
			r.Frames = append(r.Frames, k)
		}
		if q != nil && len(r.Frames) == 0 {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Spans of one file's classes, at q's class and confidence filter.
func (c *Collection) Spans(path string, q Query) []scan.Span {
	c.mu.RLock()
	defer c.mu.RUnlock()
	f, ok := c.files[path]
	if !ok {
		return nil
	}
	var frames []scan.Frame
	for _, id := range f.Items {
		it := c.items[id]
		frames = append(frames, scan.Frame{Index: it.Index, Time: it.Time, Detections: q.Shown(it)})
	}
	return scan.Spans(frames)
}

// Close removes the thumbnail cache.
func (c *Collection) Close() error { return c.thumbs.Close() }
