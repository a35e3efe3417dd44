package cluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeCert makes a self-signed certificate for 127.0.0.1 and returns the
// certificate and key files; the certificate is its own CA.
func writeCert(t *testing.T) (cert, key string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vidsift test hub"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "hub.pem"), filepath.Join(dir, "hub-key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// TestHubTLS: a hub with a certificate takes clients that trust it
// (--tls-ca) and refuses those that do not.
func TestHubTLS(t *testing.T) {
	cert, key := writeCert(t)
	hub, err := StartHub(HubOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir(),
		Auth: Auth{Token: "t", TLSCert: cert, TLSKey: key}})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Shutdown()
	nc, err := Connect(hub.URL(), Auth{Token: "t", TLSCA: cert}, "trusting")
	if err != nil {
		t.Fatalf("a client trusting the hub's CA: %v", err)
	}
	if !nc.TLSRequired() {
		t.Error("the connection is not TLS")
	}
	nc.Close()
	if nc, err := Connect(hub.URL(), Auth{Token: "t"}, "untrusting"); err == nil {
		nc.Close()
		t.Error("a client that does not trust the hub's certificate connected")
	}
}
