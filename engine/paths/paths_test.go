package paths

import "testing"

func TestUnder(t *testing.T) {
	for _, c := range []struct {
		path, root string
		want       bool
	}{
		{"/a/b", "/a/b", true},
		{"/a/b/c.mp4", "/a/b", true},
		{"/a/b/c.mp4", "/a/b/", true},
		{"/a/bc.mp4", "/a/b", false},
		{"/a/b-c/d.mp4", "/a/b", false},
		{"/a", "/a/b", false},
		{"/x/y.mp4", "/", true},
		{"/", "/", true},
	} {
		if got := Under(c.path, c.root); got != c.want {
			t.Errorf("Under(%q, %q) = %v", c.path, c.root, got)
		}
		// The range says the same, for every path and root.
		root, from, to := Range(c.root)
		if inRange := c.path == root || c.path >= from && c.path < to; inRange != c.want {
			t.Errorf("Range(%q) holds %q: %v, Under says %v", c.root, c.path, inRange, c.want)
		}
	}
	if UnderAny("/a/b", nil) || !UnderAny("/a/b", []string{"/x", "/a"}) || UnderAny("/a/b", []string{"/x", "/a/bb"}) {
		t.Error("UnderAny")
	}
}
