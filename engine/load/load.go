// Package load loads the detector that the settings name: ONNX Runtime,
// once per process, then the model. Both front ends load through it, so
// they find the same files in the same order (config.FindModel,
// config.FindRuntimeLibrary).
package load

import (
	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
)

// Model loads the model at path, or when path is "" the one
// config.FindModel picks, with intraOp ONNX Runtime threads per Run.
func Model(v *viper.Viper, path string, intraOp int) (*detect.Model, error) {
	if path == "" {
		var err error
		if path, err = config.FindModel(v); err != nil {
			return nil, err
		}
	}
	if err := detect.Init(config.FindRuntimeLibrary(v)); err != nil {
		return nil, err
	}
	return detect.Load(path, detect.Options{IntraOpThreads: intraOp})
}

// RuntimeVersion loads ONNX Runtime as Model would and says which version
// it is and where it came from.
func RuntimeVersion(v *viper.Viper) (version, library string, err error) {
	library = config.FindRuntimeLibrary(v)
	if err := detect.Init(library); err != nil {
		return "", library, err
	}
	version, err = detect.RuntimeVersion()
	return version, library, err
}
