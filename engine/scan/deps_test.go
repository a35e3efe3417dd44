package scan_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoCgoDownstream: the packages downstream of the pipeline (the nouns,
// the query language, the library, the exports and the results browser)
// link neither FFmpeg nor ONNX Runtime, so they build and test without
// either; only engine/media, engine/detect and what runs scans do.
func TestNoCgoDownstream(t *testing.T) {
	pkgs := []string{"scan", "fingerprint", "query", "store", "export", "results"}
	for _, p := range pkgs {
		out, err := exec.Command("go", "list", "-deps", "github.com/vidsift/vidsift/engine/"+p).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps engine/%s: %v\n%s", p, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 5 {
			t.Fatalf("engine/%s: only %d dependencies listed: %q", p, len(deps), deps)
		}
		for _, d := range deps {
			for _, banned := range []string{"github.com/asticode/go-astiav", "github.com/yalue/onnxruntime_go",
				"github.com/vidsift/vidsift/engine/media", "github.com/vidsift/vidsift/engine/detect", "github.com/vidsift/vidsift/engine/pipeline"} {
				if d == banned {
					t.Errorf("engine/%s links %s", p, d)
				}
			}
		}
	}
}
