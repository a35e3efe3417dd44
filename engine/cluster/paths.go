package cluster

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/vidsift/vidsift/engine/paths"
)

// Mapping rewrites a path prefix: the submitter's From is this worker's To
// (the same NAS share, mounted elsewhere).
type Mapping struct{ From, To string }

// ParseMapping reads FROM=TO.
func ParseMapping(s string) (Mapping, error) {
	from, to, ok := strings.Cut(s, "=")
	if !ok || from == "" || to == "" {
		return Mapping{}, fmt.Errorf("%q: want FROM=TO, e.g. /mnt/nas=/Volumes/nas", s)
	}
	if !filepath.IsAbs(from) || !filepath.IsAbs(to) {
		return Mapping{}, fmt.Errorf("%q: both sides must be absolute paths", s)
	}
	return Mapping{From: filepath.Clean(from), To: filepath.Clean(to)}, nil
}

// PathPolicy says which files a worker opens. With no roots and no
// mappings it opens any path it can read; otherwise only files under a
// root or a mapping's To, after symlinks are followed.
type PathPolicy struct {
	Roots []string
	Maps  []Mapping
}

// Open reports whether the policy lets any path through.
func (p PathPolicy) Open() bool { return len(p.Roots) == 0 && len(p.Maps) == 0 }

// refusal is a job the policy turns down.
type refusal struct{ reason string }

func (r refusal) Error() string { return r.reason }

// Resolve maps a submitter's path to this worker's and checks it.
func (p PathPolicy) Resolve(path string) (string, error) {
	if !filepath.IsAbs(path) {
		return "", refusal{fmt.Sprintf("%q is not an absolute path", path)}
	}
	local := filepath.Clean(path)
	best := -1
	for i, m := range p.Maps {
		if paths.Under(local, m.From) && (best < 0 || len(m.From) > len(p.Maps[best].From)) {
			best = i
		}
	}
	if best >= 0 {
		m := p.Maps[best]
		local = filepath.Join(m.To, strings.TrimPrefix(local, m.From))
	}
	if p.Open() {
		return local, nil
	}
	roots := append([]string(nil), p.Roots...)
	for _, m := range p.Maps {
		roots = append(roots, m.To)
	}
	if !inRoots(local, roots, false) {
		return "", refusal{fmt.Sprintf("%s is outside this worker's roots (%s)", local, strings.Join(roots, ", "))}
	}
	// A symlink under a root may lead anywhere: judge where it leads.
	real, err := filepath.EvalSymlinks(local)
	if err != nil {
		return "", err // unreadable here, not refused
	}
	if !inRoots(real, roots, true) {
		return "", refusal{fmt.Sprintf("%s leads to %s, outside this worker's roots (%s)", local, real, strings.Join(roots, ", "))}
	}
	return local, nil
}

// inRoots reports whether path is under one of roots; with resolve, each
// root's own symlinks are followed first (path is where a link led).
func inRoots(path string, roots []string, resolve bool) bool {
	for _, r := range roots {
		r = filepath.Clean(r)
		if resolve {
			if real, err := filepath.EvalSymlinks(r); err == nil {
				r = real
			}
		}
		if paths.Under(path, r) {
			return true
		}
	}
	return false
}
