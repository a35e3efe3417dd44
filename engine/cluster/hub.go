package cluster

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultListen is where a hub listens unless told otherwise: loopback,
// NATS's usual port.
const DefaultListen = "127.0.0.1:4222"

// HubOptions configure an embedded hub.
type HubOptions struct {
	Listen   string // HOST:PORT; port 0 picks a free one
	StoreDir string // JetStream's files: queued jobs survive a restart
	Auth     Auth
}

// Hub is a nats-server with JetStream, running in this process.
type Hub struct {
	srv *server.Server
}

// StartHub starts a hub and waits until it takes connections. Listening
// beyond loopback without credentials is refused: anyone who reaches the
// port could read the media paths and results, and feed workers jobs.
func StartHub(o HubOptions) (*Hub, error) {
	if o.Listen == "" {
		o.Listen = DefaultListen
	}
	if o.StoreDir == "" {
		return nil, errors.New("hub: no store folder")
	}
	if err := o.Auth.check(); err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	host, portText, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return nil, fmt.Errorf("hub: %w %q: want HOST:PORT", ErrListenAddress, o.Listen)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("hub: %w %q: bad port", ErrListenAddress, o.Listen)
	}
	if port == 0 {
		port = server.RANDOM_PORT // nats-server reads 0 as its default, 4222
	}
	if !isLoopback(host) && !o.Auth.Any() {
		return nil, fmt.Errorf("hub: refusing to listen on %s: %w", o.Listen, ErrOpenHub)
	}
	opts := &server.Options{
		ServerName: "vidsift-hub", Host: host, Port: port,
		JetStream: true, StoreDir: o.StoreDir,
		Authorization: o.Auth.Token, Username: o.Auth.User, Password: o.Auth.Password,
		NoSigs: true, NoLog: true,
	}
	if o.Auth.TLSCert != "" {
		tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: o.Auth.TLSCert, KeyFile: o.Auth.TLSKey,
			CaFile: o.Auth.TLSCA, Verify: o.Auth.TLSCA != ""})
		if err != nil {
			return nil, fmt.Errorf("hub: TLS: %w", err)
		}
		opts.TLS, opts.TLSConfig, opts.TLSVerify = true, tc, o.Auth.TLSCA != ""
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	problems := &hubLog{}
	srv.SetLoggerV2(problems, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		if why := problems.last(); why != "" {
			return nil, fmt.Errorf("hub: not listening on %s: %s", o.Listen, why)
		}
		return nil, fmt.Errorf("hub: not listening on %s after 30 s (is the port taken?)", o.Listen)
	}
	return &Hub{srv: srv}, nil
}

// URL is the address clients connect to.
func (h *Hub) URL() string { return h.srv.ClientURL() }

// Addr is the HOST:PORT the hub listens on (with the port it picked).
func (h *Hub) Addr() string {
	if a, ok := h.srv.Addr().(*net.TCPAddr); ok {
		return a.String()
	}
	return ""
}

// Shutdown stops the hub and waits until it has.
func (h *Hub) Shutdown() {
	h.srv.Shutdown()
	h.srv.WaitForShutdown()
}

// hubLog keeps the server's errors, so a hub that fails to start can say
// why; the rest of its chatter is dropped.
type hubLog struct {
	mu     sync.Mutex
	errors []string
}

func (l *hubLog) keep(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errors = append(l.errors, fmt.Sprintf(format, v...))
}

func (l *hubLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.errors, "; ")
}

func (l *hubLog) Noticef(string, ...any)         {}
func (l *hubLog) Warnf(string, ...any)           {}
func (l *hubLog) Debugf(string, ...any)          {}
func (l *hubLog) Tracef(string, ...any)          {}
func (l *hubLog) Errorf(format string, v ...any) { l.keep(format, v...) }
func (l *hubLog) Fatalf(format string, v ...any) { l.keep(format, v...) }
