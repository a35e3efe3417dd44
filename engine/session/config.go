package session

import (
	"errors"

	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/settings"
)

// FromConfig resolves a session's options from the settings (flags,
// VIDSIFT_* and config.yaml): the scan settings, the model and ONNX
// Runtime as config.FindModel and config.FindRuntimeLibrary find them,
// the library file and the cluster (settings.Nats, with AuthFrom's
// credentials). The front end adds what only it knows (Need, Rescan,
// Thumbs, FFmpegLog, the cluster's name and queue).
func FromConfig(v *viper.Viper) (Options, error) {
	st, err := config.Load(v)
	if err != nil {
		return Options{}, &Error{PartSettings, err}
	}
	modelPath, err := config.FindModel(v)
	if err != nil {
		return Options{}, &Error{PartModel, err}
	}
	opts := Options{Settings: st, ModelPath: modelPath,
		RuntimeLibrary: config.FindRuntimeLibrary(v), Library: config.LibraryFile(v)}
	if st.Text.On {
		// Models not installed: text is off, which Open says
		// (TextWarning). A folder named that lacks them is an error.
		dir, err := config.FindTextModels(v)
		if err != nil && !errors.Is(err, config.ErrNoTextModels) {
			return Options{}, &Error{PartText, err}
		}
		opts.TextModels = dir
	}
	if url := v.GetString(settings.Nats); url != "" {
		opts.Cluster = &Cluster{URL: url, Auth: AuthFrom(v), Name: "vidsift " + cluster.DefaultName()}
	}
	return opts, nil
}

// AuthFrom reads the cluster's credentials from the settings
// (settings.NatsToken and the rest): flags, VIDSIFT_NATS_* and config.yaml.
func AuthFrom(v *viper.Viper) cluster.Auth {
	return cluster.Auth{Token: v.GetString(settings.NatsToken), User: v.GetString(settings.NatsUser),
		Password: v.GetString(settings.NatsPassword), TLSCert: v.GetString(settings.NatsTLSCert),
		TLSKey: v.GetString(settings.NatsTLSKey), TLSCA: v.GetString(settings.NatsTLSCA)}
}

// LoadModel loads the model at path, or when path is "" the one
// config.FindModel picks, with intraOp ONNX Runtime threads per Run. ONNX
// Runtime is loaded once per process, the one config.FindRuntimeLibrary
// finds, so every caller finds the same files in the same order.
func LoadModel(v *viper.Viper, path string, intraOp int) (*detect.Model, error) {
	if path == "" {
		var err error
		if path, err = config.FindModel(v); err != nil {
			return nil, err
		}
	}
	return loadModel(config.FindRuntimeLibrary(v), path, intraOp)
}

func loadModel(runtimeLibrary, path string, intraOp int) (*detect.Model, error) {
	if err := detect.Init(runtimeLibrary); err != nil {
		return nil, err
	}
	return detect.Load(path, detect.Options{IntraOpThreads: intraOp})
}

// RuntimeVersion loads ONNX Runtime as LoadModel would and says which
// version it is and where it came from.
func RuntimeVersion(v *viper.Viper) (version, library string, err error) {
	library = config.FindRuntimeLibrary(v)
	if err := detect.Init(library); err != nil {
		return "", library, err
	}
	version, err = detect.RuntimeVersion()
	return version, library, err
}
