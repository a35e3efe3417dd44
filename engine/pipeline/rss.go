package pipeline

import (
	"errors"
	"os"
	"strconv"
	"strings"
)

// peakRSS reads this process's peak resident set size (VmHWM) in bytes;
// 0 where /proc is not there. A parent's rusage of the child is no
// substitute: on Linux it also counts the parent's memory, which the child
// shared until exec.
func peakRSS() int64 {
	kb, err := vmHWM("/proc/self/status")
	if err != nil {
		return 0
	}
	return kb << 10
}

func vmHWM(statusFile string) (int64, error) {
	raw, err := os.ReadFile(statusFile)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, errors.New("no VmHWM in " + statusFile)
}
