package scan

import "testing"

func TestClock(t *testing.T) {
	// Seconds from the start, then as Clock writes them: whole seconds, tenths.
	for s, want := range map[float64][2]string{
		0:       {"0:00", "0:00.0"},
		0.3:     {"0:00", "0:00.3"},
		5.04:    {"0:05", "0:05.0"},
		5.96:    {"0:05", "0:05.9"},
		12.36:   {"0:12", "0:12.3"},
		59.99:   {"0:59", "0:59.9"},
		61.5:    {"1:01", "1:01.5"},
		3600:    {"1:00:00", "1:00:00.0"},
		3725.55: {"1:02:05", "1:02:05.5"},
		-1:      {"0:00", "0:00.0"},
	} {
		if got := [2]string{Clock(s, Seconds), Clock(s, Tenths)}; got != want {
			t.Errorf("Clock(%v) = %q, want %q", s, got, want)
		}
	}
}
