package media

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vidsift/vidsift/engine/testenv"
)

func TestProbe(t *testing.T) {
	dir := testenv.Shared(t, "testdata")
	files, _ := filepath.Glob(dir + "/*/*")
	for _, p := range files {
		f, err := Open(context.Background(), p, Options{})
		if err != nil {
			t.Logf("%s: %v", p, err)
			continue
		}
		var times []float64
		out, err := f.Keyframes(context.Background(), func(k *Keyframe) error {
			times = append(times, k.Time)
			buf := make([]byte, 100*100*3)
			return k.RGB(100, 100, buf)
		})
		f.Close()
		t.Logf("%s: %+v %+v err=%v times=%v", filepath.Base(p), f.Info(), out, err, times)
	}
	t.Logf("open objects %d", OpenObjects())
}
