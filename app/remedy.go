package app

import (
	"errors"
	"fmt"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
)

// worded is an engine error with what to do about it in the app's terms:
// the engine says what went wrong, the app names its own controls.
func worded(err error) error {
	if r := remedy(err); r != "" {
		return fmt.Errorf("%w.\n%s", err, r)
	}
	return err
}

func remedy(err error) string {
	switch {
	case errors.Is(err, config.ErrNoModel):
		return "Pick a model file with “Choose model…”, install the default with `make setup`, or export one with Ultralytics: " +
			"pip install ultralytics && yolo export model=yolov8n.pt format=onnx dynamic=True"
	case errors.Is(err, detect.ErrNoRuntime):
		return "Install it with `make setup`, or name it as onnxruntime_library in config.yaml."
	case errors.Is(err, cluster.ErrCredentials):
		return "Check the token under Run on (or nats_user and nats_password in config.yaml)."
	case errors.Is(err, cluster.ErrNoHub):
		return "Start one on the hub's computer with `vidsift hub`, or choose This computer under Run on."
	case errors.Is(err, cluster.ErrTLSPair):
		return "config.yaml names nats_tls_cert without nats_tls_key, or the key without the certificate."
	}
	return ""
}
