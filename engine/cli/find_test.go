package cli

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/export"
	"github.com/vidsift/vidsift/internal/testenv"
)

// findCase is an expression with its meaning written out in Go, for an
// evaluation of the scan JSON that shares no code with find.
type findCase struct {
	expr     string
	holds    func(has func(string) bool) bool
	positive []string
}

var findCases = []findCase{
	{"dog & person", func(h func(string) bool) bool { return h("dog") && h("person") }, []string{"dog", "person"}},
	{"car | truck", func(h func(string) bool) bool { return h("car") || h("truck") }, []string{"car", "truck"}},
	{"person & !dog", func(h func(string) bool) bool { return h("person") && !h("dog") }, []string{"person"}},
	{"(CAT | dog) & !horse", func(h func(string) bool) bool { return (h("cat") || h("dog")) && !h("horse") }, []string{"cat", "dog"}},
	{`"traffic light" | bus`, func(h func(string) bool) bool { return h("traffic light") || h("bus") }, []string{"bus", "traffic light"}},
	{"!person", func(h func(string) bool) bool { return !h("person") }, nil},
}

// perFile evaluates a case on a scanned file: the classes it shows are
// those with a span (as the JSON reports it) at least minDur long; the
// ranges are those spans of the positive classes, merged.
func perFile(c findCase, f export.File, minDur float64) (bool, []export.FindSpan) {
	shown := map[string]bool{}
	var spans []export.FindSpan
	for _, s := range f.Spans {
		if s.End-s.Start < minDur-1e-9 {
			continue
		}
		shown[s.Class] = true
		for _, p := range c.positive {
			if s.Class == p {
				spans = append(spans, export.FindSpan{Start: s.Start, End: s.End})
			}
		}
	}
	if !c.holds(func(cl string) bool { return shown[cl] }) {
		return false, nil
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	var merged []export.FindSpan
	for _, s := range spans {
		if n := len(merged); n > 0 && s.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	return true, merged
}

// perFrame evaluates a case on each analysed frame; ranges are runs of
// consecutive frames where it holds.
func perFrame(c findCase, f export.File) (bool, []export.FindSpan) {
	var runs []export.FindSpan
	open := false
	for _, k := range f.Frames {
		in := map[string]bool{}
		for _, d := range k.Detections {
			in[d.Class] = true
		}
		switch holds := c.holds(func(cl string) bool { return in[cl] }); {
		case holds && open:
			runs[len(runs)-1].End = k.Time
		case holds:
			runs, open = append(runs, export.FindSpan{Start: k.Time, End: k.Time}), true
		default:
			open = false
		}
	}
	return len(runs) > 0, runs
}

// TestFind scans the shared media and a fixture into a library, then asks
// find questions and holds the answers against an evaluation of the scan
// JSON: AND, OR, NOT, quoting, --together, --min-duration, --conf, PATHs.
func TestFind(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	media := testenv.Shared(t, "testdata")
	walker := testenv.Fixture(t, "small_person_walks_in.mp4")
	dir := t.TempDir()
	scanned := filepath.Join(dir, "scan.json")
	if code, stderr := scanCmd(t, "-q", "--json", scanned, media, walker); code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, stderr)
	}
	doc := readDoc(t, scanned)

	find := func(t *testing.T, args ...string) (int, export.FindDocument, string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "find.json")
		code, stdout, stderr := vidsift(t, append([]string{"find", "--json", out}, args...)...)
		if code == ExitUsage {
			t.Fatalf("find %v: exit 2\n%s", args, stderr)
		}
		return code, testenv.ReadJSON[export.FindDocument](t, out), stdout
	}
	check := func(t *testing.T, c findCase, got export.FindDocument, eval func(export.File) (bool, []export.FindSpan)) {
		t.Helper()
		want := map[string][]export.FindSpan{}
		for _, f := range doc.Files {
			if ok, spans := eval(f); ok {
				want[f.Path] = append([]export.FindSpan{}, spans...)
			}
		}
		have := map[string][]export.FindSpan{}
		for _, f := range got.Files {
			have[f.Path] = f.Spans
		}
		if !reflect.DeepEqual(have, want) {
			t.Errorf("%s: find says\n  %v\nthe scan JSON says\n  %v", c.expr, have, want)
		}
	}

	for _, c := range findCases {
		t.Run(c.expr, func(t *testing.T) {
			code, got, stdout := find(t, c.expr)
			check(t, c, got, func(f export.File) (bool, []export.FindSpan) { return perFile(c, f, 0) })
			if want := map[bool]int{true: 0, false: ExitSomeBad}[len(got.Files) > 0]; code != want {
				t.Errorf("exit %d with %d files, want %d", code, len(got.Files), want)
			}
			if lines := strings.Count(stdout, "\n"); lines != len(got.Files) {
				t.Errorf("%d lines printed for %d files:\n%s", lines, len(got.Files), stdout)
			}
			_, together, _ := find(t, "--together", c.expr)
			check(t, c, together, func(f export.File) (bool, []export.FindSpan) { return perFrame(c, f) })
			_, long, _ := find(t, "--min-duration", "1.5", c.expr)
			check(t, c, long, func(f export.File) (bool, []export.FindSpan) { return perFile(c, f, 1.5) })
		})
	}

	// The cases must each match something somewhere, or they prove nothing.
	t.Run("cases match", func(t *testing.T) {
		for _, c := range findCases[:5] {
			if _, got, _ := find(t, c.expr); len(got.Files) == 0 {
				t.Errorf("%s matches nothing in the shared media", c.expr)
			}
		}
		if _, got, _ := find(t, "--together", "dog & person"); len(got.Files) == 0 {
			t.Error("dog & person are never seen together")
		}
	})

	t.Run("conf", func(t *testing.T) {
		_, got, _ := find(t, "--conf", "0.9", "person")
		var want []string
		for _, f := range doc.Files {
			for _, k := range f.Frames {
				if hasConfident(k.Detections, "person", 0.9) {
					want = append(want, f.Path)
					break
				}
			}
		}
		var have []string
		for _, f := range got.Files {
			have = append(have, f.Path)
		}
		if !reflect.DeepEqual(have, want) || len(want) == 0 || len(want) == countWith(doc, "person") {
			t.Errorf("--conf 0.9 person: %v, want %v (of %d files with a person)", have, want, countWith(doc, "person"))
		}
	})

	t.Run("paths and output", func(t *testing.T) {
		photos := filepath.Join(media, "photos")
		_, got, stdout := find(t, "person", photos)
		for _, f := range got.Files {
			if !strings.HasPrefix(f.Path, photos+string(filepath.Separator)) {
				t.Errorf("%s is not under %s", f.Path, photos)
			}
		}
		if len(got.Files) == 0 || got.Schema != export.FindSchema || got.Query != "person" {
			t.Errorf("find person %s: %+v", photos, got)
		}
		_, vids, stdout := find(t, "person", filepath.Join(media, "videos"))
		first := strings.SplitN(stdout, "\n", 2)[0]
		if s := vids.Files[0].Spans[0]; !strings.HasPrefix(first, vids.Files[0].Path+"  "+spanText(s.Start, s.End)) {
			t.Errorf("first line %q, want it to start with the path and %s", first, spanText(s.Start, s.End))
		}
		out := filepath.Join(t.TempDir(), "find.csv")
		if code, _, stderr := vidsift(t, "find", "--csv", out, "dog & person"); code != 0 {
			t.Fatalf("find --csv: exit %d\n%s", code, stderr)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != "path,start_s,end_s" {
			t.Errorf("find CSV: %v, %v", rows, err)
		}
	})

	t.Run("nothing and mistakes", func(t *testing.T) {
		code, got, _ := find(t, "toothbrush") // a class the model knows, never seen here
		if code != ExitSomeBad || got.Files == nil || len(got.Files) != 0 {
			t.Errorf("toothbrush: exit %d, %+v; want 1 and an empty list", code, got)
		}
		for _, c := range []struct{ args, say []string }{
			{[]string{"find", "dog & unicorn"}, []string{`"unicorn" (column 7)`, "toothbrush"}},
			{[]string{"find", "dog &"}, []string{"column 6"}},
			{[]string{"find", "traffic light"}, []string{"column 9", `"traffic light"`}},
			{[]string{"find"}, []string{"Usage: vidsift find"}},
		} {
			code, _, stderr := vidsift(t, c.args...)
			if code != ExitUsage {
				t.Errorf("%v: exit %d, want 2", c.args, code)
			}
			for _, s := range c.say {
				if !strings.Contains(stderr, s) {
					t.Errorf("%v: %q does not say %q", c.args, stderr, s)
				}
			}
		}
		if code, _, stderr := vidsift(t, "find", "--help"); code != 0 || !strings.Contains(stderr, "Usage: vidsift find") {
			t.Errorf("find --help: exit %d\n%s", code, stderr)
		}
	})
}

func hasConfident(dets []export.Detection, class string, conf float64) bool {
	for _, d := range dets {
		if d.Class == class && d.Confidence >= conf {
			return true
		}
	}
	return false
}

func countWith(doc export.Document, class string) int {
	n := 0
	for _, f := range doc.Files {
		for _, s := range f.Spans {
			if s.Class == class {
				n++
				break
			}
		}
	}
	return n
}

// TestFindLines scans two clips, one under a name with a newline that
// would forge a result line, and holds what find prints against its JSON:
// names escaped (raw with --null), times in tenths that cover each span,
// and notes on stderr for a --conf below the scans' floor, a PATH that
// does not exist, and matches left out because their files went.
func TestFindLines(t *testing.T) {
	isolated(t)
	t.Setenv("VIDSIFT_MODEL", testenv.Model(t))
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.mp4")
	forged := filepath.Join(dir, "cam\nplain.mp4  0:00.0–9:59.0.mp4")
	testenv.WriteFile(t, plain, sharedClip(t, "one_by_one_person_h264.mkv"), 0o644)
	walker, err := os.ReadFile(testenv.Fixture(t, "small_person_walks_in.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteFile(t, forged, walker, 0o644)
	if code, stderr := scanCmd(t, "-q", "--max-gap", "0.7", dir); code != 0 { // frames between whole seconds
		t.Fatalf("scan: exit %d\n%s", code, stderr)
	}

	out := filepath.Join(t.TempDir(), "find.json")
	code, stdout, stderr := vidsift(t, "find", "--json", out, "person")
	doc := testenv.ReadJSON[export.FindDocument](t, out)
	if code != ExitOK || len(doc.Files) != 2 || doc.Files[0].Path != forged || doc.Files[1].Path != plain {
		t.Fatalf("find person: exit %d, %+v\n%s", code, doc, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != len(doc.Files) {
		t.Errorf("%d lines for %d files:\n%s", len(lines), len(doc.Files), stdout)
	}
	fractional := false
	for i, f := range doc.Files[:min(len(doc.Files), len(lines))] {
		prefix := strconv.Quote(f.Path) + "  "
		if f.Path == plain {
			prefix = plain + "  "
		}
		spans, ok := strings.CutPrefix(lines[i], prefix)
		if !ok {
			t.Errorf("line %d is %q, want it to start %q", i+1, lines[i], prefix)
			continue
		}
		printed := strings.Split(spans, ", ")
		if len(printed) != len(f.Spans) {
			t.Errorf("%q: %d spans printed, %d in the JSON", lines[i], len(printed), len(f.Spans))
			continue
		}
		for j, s := range f.Spans {
			from, to, _ := strings.Cut(printed[j], "–")
			start, end := clockSeconds(t, from), clockSeconds(t, to)
			// Tenths: the start cut down, the end rounded up, never
			// shorter than what was seen.
			if start > s.Start+1e-6 || start <= s.Start-0.1 || end < s.End-1e-6 || end >= s.End+0.1 {
				t.Errorf("span %.3f–%.3f printed %s", s.Start, s.End, printed[j])
			}
			fractional = fractional || math.Abs(s.End-math.Round(s.End)) > 1e-3
		}
	}
	if !fractional {
		t.Error("every span ends on a whole second: the clips prove nothing about the times' precision")
	}

	// --json - and --csv -: the document alone on stdout, the lines on stderr.
	code, stdout, stderr = vidsift(t, "find", "--json", "-", "person")
	var piped export.FindDocument
	if err := json.Unmarshal([]byte(stdout), &piped); code != ExitOK || err != nil || !reflect.DeepEqual(piped, doc) || !strings.Contains(stderr, plain+"  ") {
		t.Errorf("find --json - person: exit %d, %v; stdout:\n%s\nstderr:\n%s", code, err, stdout, stderr)
	}
	if code, stdout, _ := vidsift(t, "find", "--csv", "-", "person"); code != ExitOK || !strings.HasPrefix(stdout, "path,start_s,end_s\n") || strings.Count(stdout, plain+",") != len(doc.Files[1].Spans) {
		t.Errorf("find --csv - person: exit %d\n%s", code, stdout)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error("a file named - was written")
	}

	// --null: the paths as they are, each ended by a NUL, for xargs -0.
	if code, stdout, _ := vidsift(t, "find", "--null", "person"); code != ExitOK || stdout != forged+"\x00"+plain+"\x00" {
		t.Errorf("find --null person: exit %d, %q", code, stdout)
	}

	// The library holds nothing under the scan's floor (0.25 by default).
	_, _, stderr = vidsift(t, "find", "--conf", "0.1", "person")
	if strings.Count(stderr, "--conf 0.1 is below the confidence the scans kept (0.25)") != 1 {
		t.Errorf("find --conf 0.1: stderr does not say the floor once:\n%s", stderr)
	}
	if _, _, stderr = vidsift(t, "find", "--conf", "0.5", "person"); stderr != "" {
		t.Errorf("find --conf 0.5 said:\n%s", stderr)
	}

	// A PATH that neither exists nor is in the library is a mistake.
	nowhere := filepath.Join(dir, "nowhere")
	if code, _, stderr := vidsift(t, "find", "person", nowhere); code != ExitUsage || !strings.Contains(stderr, nowhere+" does not exist") {
		t.Errorf("find person %s: exit %d\n%s", nowhere, code, stderr)
	}

	// Every match gone: nothing printed, but stderr says why and the remedy.
	for _, p := range []string{plain, forged} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr = vidsift(t, "find", "person", plain) // gone, but in the library: no mistake
	if code != ExitSomeBad || stdout != "" || !strings.Contains(stderr, "1 match left out") || !strings.Contains(stderr, "--include-missing") {
		t.Errorf("find person %s after it went: exit %d %q\n%s", plain, code, stdout, stderr)
	}
	code, stdout, stderr = vidsift(t, "find", "person")
	if code != ExitSomeBad || stdout != "" || !strings.Contains(stderr, "2 matches left out") || !strings.Contains(stderr, "--include-missing") {
		t.Errorf("find person after both went: exit %d %q\n%s", code, stdout, stderr)
	}
	if code, stdout, _ = vidsift(t, "find", "--include-missing", "person"); code != ExitOK || strings.Count(stdout, "\n") != 2 {
		t.Errorf("find --include-missing person: exit %d\n%s", code, stdout)
	}

	// The help says what --csv writes.
	_, _, stderr = vidsift(t, "find", "--help")
	if !strings.Contains(stderr, "one row per span") || strings.Contains(stderr, "per detection") || !strings.Contains(stderr, "--null") {
		t.Errorf("find --help:\n%s", stderr)
	}
}

// clockSeconds reads m:ss, m:ss.s or h:mm:ss(.s) back into seconds.
func clockSeconds(t *testing.T, s string) float64 {
	t.Helper()
	var total float64
	for _, part := range strings.Split(s, ":") {
		v, err := strconv.ParseFloat(part, 64)
		if err != nil {
			t.Fatalf("%q is not a clock time", s)
		}
		total = total*60 + v
	}
	return total
}
