package pipeline

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestPeakRSS: the high-water mark is read, and it covers memory the
// process has touched.
func TestPeakRSS(t *testing.T) {
	buf := make([]byte, 200<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	if peak := peakRSS(); peak < 200<<20 {
		t.Errorf("peak RSS %d bytes with 200 MiB touched", peak)
	}
	runtime.KeepAlive(buf)
	status := filepath.Join(t.TempDir(), "status")
	if err := os.WriteFile(status, []byte("Name:\tx\nVmPeak:\t 10 kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := vmHWM(status); err == nil {
		t.Error("a status without VmHWM read fine")
	}
}
