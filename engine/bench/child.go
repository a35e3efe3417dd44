package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/vidsift/vidsift/engine/export"
)

// child runs a fresh `vidsift scan` of RSSFiles files at default settings,
// a process of its own so that nothing measured before counts, and reads
// what its scan JSON's summary reports: peak RSS, model loads, and the
// scan's first result, which the wall clock here turns into time since exec.
func (rep *Report) child(ctx context.Context, o Options) error {
	files, cleanup, err := Repeat(o.Clips, o.RSSFiles)
	if err != nil {
		return err
	}
	defer cleanup()
	out := filepath.Join(filepath.Dir(files[0]), "scan.json")
	args := append([]string{"scan", "-q", "--library", "off", "--model", o.Model, "--onnxruntime-library", o.RuntimeLibrary, "--json", out}, files...)
	cmd := exec.CommandContext(ctx, o.Self, args...)
	started := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("child scan: %v\n%s", err, out)
	}
	wall := time.Since(started).Seconds()
	raw, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	var doc export.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("child scan JSON: %w", err)
	}
	s := doc.Summary
	if s.PeakRSSMB <= 0 {
		return fmt.Errorf("the child scan reported no peak RSS")
	}
	if s.ModelLoads != 1 {
		return fmt.Errorf("the child scan loaded the model %d times", s.ModelLoads)
	}
	rep.PeakRSSMB = s.PeakRSSMB
	rep.PeakRSSFiles = o.RSSFiles
	// The scan ran its last elapsed_s seconds before the process exited
	// (writing the JSON after it takes milliseconds), so it started
	// wall − elapsed_s after exec, and its first result came first_result_s later.
	rep.FirstResultSec = wall - s.Elapsed + s.FirstResult
	return nil
}
