package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// The README is what a newcomer reads first: these tests keep it short, keep
// every relative link of the documentation pointing somewhere, and run its
// example commands on the shared clips.

const readmeMaxLines = 200

func TestReadmeLength(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	n := strings.Count(string(raw), "\n") // as wc -l counts
	if len(raw) > 0 && raw[len(raw)-1] != '\n' {
		n++
	}
	if n > readmeMaxLines {
		t.Errorf("README.md has %d lines, more than %d: move the details to docs/", n, readmeMaxLines)
	}
}

// docFiles are the Markdown files whose relative links must resolve.
func docFiles(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no docs/*.md")
	}
	return append([]string{"README.md", "CONTRIBUTING.md", "models/README.md", "testdata/README.md"}, docs...)
}

func TestReadmeLinks(t *testing.T) {
	// GitHub's anchors, as its renderer makes them (checked on github.com).
	for heading, want := range map[string]string{
		"Rectangular inference (`--rect`, on)":                           "rectangular-inference---rect-on",
		"Take the moments out: `vidsift clips EXPR [PATH...] --out DIR`": "take-the-moments-out-vidsift-clips-expr-path---out-dir",
		"Many computers: a cluster on NATS JetStream":                    "many-computers-a-cluster-on-nats-jetstream",
		"What's new — 2026, [see](x.md) *this*":                          "whats-new--2026-see-this",
	} {
		if got := headingSlug(heading); got != want {
			t.Errorf("slug of %q: %q, want %q", heading, got, want)
		}
	}

	anchors := map[string][]string{} // file → its headings' anchors, read once
	anchorsOf := func(path string) []string {
		if a, ok := anchors[path]; ok {
			return a
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		anchors[path] = headingAnchors(string(raw))
		return anchors[path]
	}
	checked := 0
	for _, file := range docFiles(t) {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range markdownLinks(string(raw)) {
			if isExternal(l.target) {
				continue
			}
			checked++
			path, anchor, _ := strings.Cut(l.target, "#")
			target := file
			if path != "" {
				target = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
				if _, err := os.Stat(target); err != nil {
					t.Errorf("%s:%d: link %q: %v", file, l.line, l.target, err)
					continue
				}
			}
			if anchor == "" {
				continue
			}
			if !strings.HasSuffix(target, ".md") {
				t.Errorf("%s:%d: link %q: an anchor into a file that is not Markdown", file, l.line, l.target)
				continue
			}
			if !slices.Contains(anchorsOf(target), anchor) {
				t.Errorf("%s:%d: link %q: %s has no heading with anchor #%s (it has %v)",
					file, l.line, l.target, target, anchor, anchorsOf(target))
			}
		}
	}
	if checked == 0 {
		t.Error("no relative links found: the link extraction is broken")
	}
}

type mdLink struct {
	line   int
	target string
}

var (
	linkPattern       = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	inlineCodePattern = regexp.MustCompile("`+[^`]*`+")
	schemePattern     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// markdownLinks lists the inline links of a Markdown text, outside code.
func markdownLinks(text string) []mdLink {
	var links []mdLink
	for i, line := range proseLines(text) {
		line = inlineCodePattern.ReplaceAllString(line, "")
		for _, m := range linkPattern.FindAllStringSubmatch(line, -1) {
			links = append(links, mdLink{i + 1, m[1]})
		}
	}
	return links
}

func isExternal(target string) bool { return schemePattern.MatchString(target) }

// proseLines returns the lines of a Markdown text with those of fenced code
// blocks blanked, so that line numbers stay.
func proseLines(text string) []string {
	lines := strings.Split(text, "\n")
	fenced := false
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			lines[i] = ""
			continue
		}
		if fenced {
			lines[i] = ""
		}
	}
	return lines
}

var headingPattern = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)

// headingAnchors lists the anchors GitHub gives a file's headings: a slug
// each, and -1, -2, … after a slug already given.
func headingAnchors(text string) []string {
	var anchors []string
	seen := map[string]int{}
	for _, line := range proseLines(text) {
		m := headingPattern.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		slug := headingSlug(m[1])
		if n := seen[slug]; n > 0 {
			anchors = append(anchors, fmt.Sprintf("%s-%d", slug, n))
		} else {
			anchors = append(anchors, slug)
		}
		seen[slug]++
	}
	return anchors
}

var headingLinkPattern = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// headingSlug is GitHub's anchor of a heading: its text as rendered
// (no code marks, emphasis or link targets), lower case, with everything
// but letters, digits, marks, '_', '-' and spaces dropped, and each space a '-'.
func headingSlug(heading string) string {
	text := headingLinkPattern.ReplaceAllString(heading, "$1")
	text = strings.NewReplacer("`", "", "*", "").Replace(text)
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || unicode.Is(unicode.Pc, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
