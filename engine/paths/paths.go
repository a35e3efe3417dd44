// Package paths holds the one definition of "at or under a folder" that
// the library's queries, the cluster's path policy, exports and the watch
// share. Paths are absolute and clean, separated by '/', as the library
// stores them.
package paths

import "strings"

// Under reports whether path is root or inside it. A root's trailing
// slash does not matter; "/" holds every absolute path.
func Under(path, root string) bool {
	root = strings.TrimSuffix(root, "/")
	return path == root || strings.HasPrefix(path, root+"/")
}

// UnderAny reports whether path is under one of roots (none: false).
func UnderAny(path string, roots []string) bool {
	for _, r := range roots {
		if Under(path, r) {
			return true
		}
	}
	return false
}

// Range is Under as an ordered range, for an index: path is under root
// exactly when path == root or from <= path < to ('0' is the byte after
// '/', so every path that continues root with a '/' sorts between).
func Range(root string) (clean, from, to string) {
	root = strings.TrimSuffix(root, "/")
	return root, root + "/", root + "0"
}
