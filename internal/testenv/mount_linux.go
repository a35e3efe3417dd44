package testenv

import (
	"os"
	"syscall"
	"testing"
)

// ReadOnlyMount makes dir a read-only mount (a bind mount of itself) until
// the test ends, as a library on read-only media lies: unlike a read-only
// file, nothing can be created beside it, root included. Mounting needs
// root, as CI runs the tests; as another user the test is skipped.
func ReadOnlyMount(t testing.TB, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a read-only mount needs root (CI runs the tests as root)")
	}
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Fatalf("bind-mount %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	if err := syscall.Mount("", dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount %s read-only: %v", dir, err)
	}
	if f, err := os.CreateTemp(dir, "probe-"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Fatalf("%s is still writable after the read-only remount", dir)
	}
}
