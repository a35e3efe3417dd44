package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// ChildStats is what `vidsift scan --stats FILE` writes for the benchmark.
type ChildStats struct {
	FirstResultSec float64 `json:"first_result_s"` // process start to first analysed keyframe
	Keyframes      int     `json:"keyframes"`
	ModelLoads     int64   `json:"model_loads"`
}

// child runs a fresh `vidsift scan` of RSSFiles files at default settings
// and reads its peak RSS from the kernel and its first-result time from
// its stats file: a process of its own, so nothing measured before counts.
func (rep *Report) child(ctx context.Context, o Options) error {
	files, cleanup, err := Repeat(o.Clips, o.RSSFiles)
	if err != nil {
		return err
	}
	defer cleanup()
	stats := filepath.Join(filepath.Dir(files[0]), "stats.json")
	args := append([]string{"scan", "-q", "--library", "off", "--model", o.Model, "--onnxruntime-library", o.Library, "--stats", stats}, files...)
	cmd := exec.CommandContext(ctx, o.Self, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("child scan: %v\n%s", err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return fmt.Errorf("no resource usage for the child scan")
	}
	rep.PeakRSSMB = float64(ru.Maxrss) / 1024 // Linux reports KiB
	rep.PeakRSSFiles = o.RSSFiles
	raw, err := os.ReadFile(stats)
	if err != nil {
		return err
	}
	var st ChildStats
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	rep.FirstResultSec = st.FirstResultSec
	if st.ModelLoads != 1 {
		return fmt.Errorf("the child scan loaded the model %d times", st.ModelLoads)
	}
	return nil
}
