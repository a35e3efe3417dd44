package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPathPolicy(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "media")
	outside := filepath.Join(dir, "secret")
	for _, d := range []string{root, outside, filepath.Join(root, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(root, "sub", "clip.mp4"), filepath.Join(outside, "key.mp4")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(outside, "key.mp4"), filepath.Join(root, "link.mp4")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "door")); err != nil {
		t.Fatal(err)
	}

	policy := PathPolicy{Roots: []string{root}, Maps: []Mapping{{From: "/nas/share", To: root}}}
	cases := []struct {
		path, want string
		refused    bool
	}{
		{path: filepath.Join(root, "sub", "clip.mp4"), want: filepath.Join(root, "sub", "clip.mp4")},
		{path: "/nas/share/sub/clip.mp4", want: filepath.Join(root, "sub", "clip.mp4")},
		{path: "/nas/share/../share/sub/clip.mp4", want: filepath.Join(root, "sub", "clip.mp4")},
		{path: filepath.Join(outside, "key.mp4"), refused: true},
		{path: root + "/../secret/key.mp4", refused: true},
		{path: "/nas/share/../../" + outside + "/key.mp4", refused: true},
		{path: "/nas/shared/clip.mp4", refused: true}, // a prefix, not the folder
		{path: filepath.Join(root, "link.mp4"), refused: true},
		{path: filepath.Join(root, "door", "key.mp4"), refused: true},
		{path: "relative/clip.mp4", refused: true},
	}
	for _, c := range cases {
		got, err := policy.Resolve(c.path)
		var ref refusal
		switch {
		case c.refused && !errors.As(err, &ref):
			t.Errorf("Resolve(%q) = %q, %v; want a refusal", c.path, got, err)
		case !c.refused && (err != nil || got != c.want):
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.path, got, err, c.want)
		}
	}

	// A missing file under a root is unreadable, not refused.
	if _, err := policy.Resolve(filepath.Join(root, "gone.mp4")); err == nil || errors.As(err, new(refusal)) {
		t.Errorf("missing file: err %v, want a plain error", err)
	}
	// With no roots and no mappings, any path goes through as it is.
	if got, err := (PathPolicy{}).Resolve(filepath.Join(outside, "key.mp4")); err != nil || got != filepath.Join(outside, "key.mp4") {
		t.Errorf("open policy: %q, %v", got, err)
	}
}

func TestParseMapping(t *testing.T) {
	if m, err := ParseMapping("/mnt/nas/=/Volumes/nas"); err != nil || m != (Mapping{"/mnt/nas", "/Volumes/nas"}) {
		t.Errorf("got %v, %v", m, err)
	}
	for _, bad := range []string{"/a", "=/b", "/a=", "a=/b", "/a=b"} {
		if _, err := ParseMapping(bad); err == nil {
			t.Errorf("ParseMapping(%q) accepted", bad)
		}
	}
}
