package pipeline

import "testing"

func TestActivityRefusesSecondRun(t *testing.T) {
	var a Activity
	cfg := Config{} // no model: the run ends at once for an empty input list
	ch, err := a.Start(t.Context(), cfg, []string{t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Start(t.Context(), cfg, nil); err != ErrBusy || !a.Running() {
		t.Errorf("second Start while the first is undrained: %v", err)
	}
	for range ch {
	}
	a.Wait()
	if a.Running() {
		t.Error("still running after the channel closed")
	}
	ch, err = a.Start(t.Context(), cfg, nil)
	if err != nil {
		t.Fatalf("Start after the first run ended: %v", err)
	}
	for range ch {
	}
}
