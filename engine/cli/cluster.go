package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/vidsift/vidsift/engine/cluster"
	"github.com/vidsift/vidsift/engine/config"
	"github.com/vidsift/vidsift/engine/detect"
	"github.com/vidsift/vidsift/engine/session"
	"github.com/vidsift/vidsift/engine/settings"
)

// authFlags are the cluster's credentials and TLS files, the same names
// for the hub that checks them and the clients that present them.
type authFlags struct{}

func (authFlags) AddFlags(fs *pflag.FlagSet) {
	addConfigFlags(fs, "token", "user", "password", "tls-cert", "tls-key", "tls-ca")
}

// natsFlags point a client at a cluster.
type natsFlags struct{ authFlags }

func (o natsFlags) AddFlags(fs *pflag.FlagSet, what string) {
	addConfigFlag(fs, "nats", what)
	o.authFlags.AddFlags(fs)
}

// connect opens the connection the settings name, as name.
func connect(v *viper.Viper, name string) (*nats.Conn, error) {
	url := v.GetString(settings.Nats)
	if url == "" {
		return nil, usagef("no cluster: give --nats URL (VIDSIFT_NATS), e.g. --nats nats://hub.local:4222")
	}
	nc, err := cluster.Connect(url, session.AuthFrom(v), name)
	if err != nil {
		return nil, usageError{err}
	}
	return nc, nil
}

// hubOptions are `vidsift hub`'s flags.
type hubOptions struct {
	authFlags
	Listen string
	Store  string
}

func (o *hubOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Listen, "listen", cluster.DefaultListen, "HOST:PORT to listen on; beyond loopback only with --token or --user/--password")
	fs.StringVar(&o.Store, "store", "", "folder for queued jobs and results (default: the data folder's hub/)")
	o.authFlags.AddFlags(fs)
}

// runHub serves a hub until interrupted.
func runHub(ctx context.Context, e env, opts hubOptions, args []string) error {
	if len(args) > 0 {
		return errNeedsUsage
	}
	store := opts.Store
	if store == "" {
		store = filepath.Join(config.DataDir(), "hub")
	}
	hub, err := cluster.StartHub(cluster.HubOptions{Listen: opts.Listen, StoreDir: store, Auth: session.AuthFrom(e.v)})
	if err != nil {
		return usageError{err}
	}
	fmt.Fprintf(e.stderr, "vidsift hub: listening on %s (jobs kept in %s)\n  workers:   vidsift worker --nats %s\n  scans:     vidsift scan --nats %s PATH...\n",
		hub.URL(), store, hub.URL(), hub.URL())
	<-ctx.Done()
	hub.Shutdown()
	fmt.Fprintln(e.stderr, "vidsift hub: stopped")
	return nil
}

// workerOptions are `vidsift worker`'s flags.
type workerOptions struct {
	natsFlags
	Roots []string
	Maps  []string
	Name  string
}

func (o *workerOptions) AddFlags(fs *pflag.FlagSet) {
	o.natsFlags.AddFlags(fs, "URL of the cluster's hub, e.g. nats://hub.local:4222")
	fs.StringArrayVar(&o.Roots, "root", nil, "open only files under DIR (repeatable)")
	fs.StringArrayVar(&o.Maps, "map", nil, "FROM=TO: a job's path under FROM is this worker's TO (repeatable; TO counts as a root)")
	addConfigFlag(fs, "workers", "files scanned at once")
	addConfigFlags(fs, "threads")
	fs.StringVar(&o.Name, "name", "", "this worker's name in results (default: host name and pid)")
	addConfigFlags(fs, "onnxruntime-library")
}

// runWorker takes jobs from the cluster until interrupted.
func runWorker(ctx context.Context, e env, opts workerOptions, args []string) error {
	if len(args) > 0 {
		return errNeedsUsage
	}
	st, err := config.Load(e.v)
	if err != nil {
		return usageError{err}
	}
	policy := cluster.PathPolicy{}
	for _, r := range opts.Roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			return usagef("--root %q: %v", r, err)
		}
		policy.Roots = append(policy.Roots, abs)
	}
	for _, m := range opts.Maps {
		mapping, err := cluster.ParseMapping(m)
		if err != nil {
			return usagef("--map %w", err)
		}
		policy.Maps = append(policy.Maps, mapping)
	}
	name := opts.Name
	if name == "" {
		name = cluster.DefaultName()
	}
	models, err := cluster.DefaultModelCache()
	if err != nil {
		return err
	}
	// ONNX Runtime is checked now, not at the first job.
	if _, _, err := session.RuntimeVersion(e.v); err != nil {
		return usageError{err}
	}
	nc, err := connect(e.v, name)
	if err != nil {
		return err
	}
	defer nc.Close()
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if policy.Open() {
		log.Warn("this worker opens any path a job names that it can read; limit it with --root DIR or --map FROM=TO", "worker", name)
	}
	return cluster.RunWorker(ctx, nc, cluster.WorkerOptions{
		Name: name, Paths: policy, Workers: st.Workers, Threads: st.Threads, Models: models,
		LoadModel: func(path string) (*detect.Model, error) { return session.LoadModel(e.v, path, 1) },
		Log:       log, OnJob: e.hooks.workerOnJob,
	})
}

// queueFlags tune redelivery for a cluster scan; hidden, for tests and
// for clusters with unusual files.
type queueFlags struct {
	AckWait    time.Duration
	MaxDeliver int
}

func (o *queueFlags) AddFlags(fs *pflag.FlagSet) {
	fs.DurationVar(&o.AckWait, "ack-wait", cluster.DefaultQueue.AckWait, "cluster: a silent worker's file goes to another after this long")
	fs.IntVar(&o.MaxDeliver, "max-deliver", cluster.DefaultQueue.MaxDeliver, "cluster: a file is handed out at most this often")
	_ = fs.MarkHidden("ack-wait")
	_ = fs.MarkHidden("max-deliver")
}
