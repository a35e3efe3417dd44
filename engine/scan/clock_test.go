package scan

import "testing"

func TestClock(t *testing.T) {
	for _, c := range []struct {
		s    float64
		p    Precision
		want string
	}{
		{0, Seconds, "0:00"},
		{5.96, Seconds, "0:05"},
		{59.99, Seconds, "0:59"},
		{61, Seconds, "1:01"},
		{3600, Seconds, "1:00:00"},
		{3725.5, Seconds, "1:02:05"},
		{0, Tenths, "0:00.0"},
		{5.04, Tenths, "0:05.0"},
		{12.36, Tenths, "0:12.3"},
		{0.3, Tenths, "0:00.3"},
		{61.5, Tenths, "1:01.5"},
		{3725.55, Tenths, "1:02:05.5"},
		{-1, Seconds, "0:00"},
	} {
		if got := Clock(c.s, c.p); got != c.want {
			t.Errorf("Clock(%v, %v) = %q, want %q", c.s, c.p, got, c.want)
		}
	}
}
