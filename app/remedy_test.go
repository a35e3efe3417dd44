package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
)

// TestRemedy: the app words what to do about an engine error with its own
// controls, never the CLI's flags; other errors pass as they are.
func TestRemedy(t *testing.T) {
	for err, want := range map[error]string{
		fmt.Errorf("looked everywhere: %w", config.ErrNoModel):            "“Choose model…”",
		fmt.Errorf("%w: stat /x: no such file", detect.ErrNoRuntime):      "make setup",
		fmt.Errorf("nats://hub:4222: %w", cluster.ErrCredentials):         "under Run on",
		fmt.Errorf("%w at nats://hub:4222: no servers", cluster.ErrNoHub): "This computer",
	} {
		got := worded(err).Error()
		if !strings.HasPrefix(got, err.Error()) || !strings.Contains(got, want) || strings.Contains(got, "--") {
			t.Errorf("%v worded as %q, want it to say %q and name no flag", err, got, want)
		}
	}
	other := fmt.Errorf("disk full")
	if worded(other) != other {
		t.Errorf("an error without a remedy changed: %v", worded(other))
	}
}
