// Package cluster spreads a scan over many machines on NATS JetStream:
// a hub (an embedded nats-server, or the user's own NATS), workers that
// take file jobs from a work-queue stream and scan them with the engine,
// and a submitter (a pipeline.Remote) that queues a run's files and hands
// their results back to the run. Queued jobs, results and the model live
// in JetStream, on disk, so they survive a restart of any one part.
package cluster

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Auth is how clients prove who they are, and how a hub checks it: a
// token, or a user and password. TLS files are optional; CA alone makes a
// client trust a hub's private certificate.
type Auth struct {
	Token    string
	User     string
	Password string
	TLSCert  string
	TLSKey   string
	TLSCA    string
}

// Any reports whether a credential is set.
func (a Auth) Any() bool { return a.Token != "" || a.User != "" }

func (a Auth) check() error {
	if a.Token != "" && a.User != "" {
		return errors.New("give a token or a user and password, not both")
	}
	if (a.User == "") != (a.Password == "") {
		return errors.New("a user needs a password, and a password a user")
	}
	if (a.TLSCert == "") != (a.TLSKey == "") {
		return ErrTLSPair
	}
	return nil
}

// What Connect can fail with, for the front ends to word their remedy.
var (
	ErrTLSPair     = errors.New("a TLS certificate needs its key, and a key its certificate")
	ErrCredentials = errors.New("the hub refused the credentials")
	ErrNoHub       = errors.New("no hub answers")
	// ErrListenAddress: a hub's listen address that is not HOST:PORT.
	ErrListenAddress = errors.New("listen address")
	// ErrOpenHub: a hub beyond loopback without credentials, which anyone
	// who reaches it could read paths and results from and hand workers
	// jobs through.
	ErrOpenHub = errors.New("beyond loopback a hub needs credentials: anyone who reaches it could read your paths and results and hand your workers jobs")
)

// Connect opens a client connection that keeps reconnecting while the
// hub is away (a restarted hub picks up where it left off), under name.
func Connect(url string, auth Auth, name string) (*nats.Conn, error) {
	if err := auth.check(); err != nil {
		return nil, err
	}
	opts := []nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectBufSize(-1)} // nothing buffered: a publish while away fails and is retried
	if auth.Token != "" {
		opts = append(opts, nats.Token(auth.Token))
	}
	if auth.User != "" {
		opts = append(opts, nats.UserInfo(auth.User, auth.Password))
	}
	if auth.TLSCert != "" {
		opts = append(opts, nats.ClientCert(auth.TLSCert, auth.TLSKey))
	}
	if auth.TLSCA != "" {
		opts = append(opts, nats.RootCAs(auth.TLSCA))
	}
	nc, err := nats.Connect(url, opts...)
	switch {
	case errors.Is(err, nats.ErrAuthorization):
		return nil, fmt.Errorf("%s: %w", url, ErrCredentials)
	case errors.Is(err, nats.ErrNoServers):
		return nil, fmt.Errorf("%w at %s: %w", ErrNoHub, url, err)
	case err != nil:
		return nil, fmt.Errorf("connecting to %s: %w", url, err)
	}
	return nc, nil
}

// DefaultName names this process to the cluster: the host name and pid.
func DefaultName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "worker"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// isLoopback reports whether a listen host only reaches this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
