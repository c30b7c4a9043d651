package sealing

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCheckKeyDirApart(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, keys := filepath.Join(root, "data"), filepath.Join(root, "keys")
	for _, tc := range []struct {
		keys, data string
		ok         bool
	}{
		{keys, data, true},
		{filepath.Join(root, "data-keys"), data, true},
		{data, data, false},
		{filepath.Join(data, "keys"), data, false},
		{root, data, false},
		{filepath.Join(data, "..", "data", "keys"), data, false},
	} {
		if err := CheckKeyDirApart(tc.keys, tc.data); (err == nil) != tc.ok {
			t.Errorf("CheckKeyDirApart(%s, %s) = %v, want ok=%v", tc.keys, tc.data, err, tc.ok)
		}
	}
	if err := os.Symlink(data, filepath.Join(root, "alias")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := CheckKeyDirApart(filepath.Join(root, "alias", "keys"), data); err == nil {
		t.Error("a symbolic link hid the key dir inside the data dir")
	}
}
