package sealing

import (
	"fmt"
	"path/filepath"
	"strings"
)

// CheckKeyDirApart returns an error if the key store directory and the event data
// directory are the same or one lies inside the other: then a backup or copy of the
// events would carry the keys (or erasing a case would not be erasure for the backup).
// Call it where both directories are configured.
func CheckKeyDirApart(keyDir, dataDir string) error {
	k, err := canonicalDir(keyDir)
	if err != nil {
		return err
	}
	d, err := canonicalDir(dataDir)
	if err != nil {
		return err
	}
	if within(k, d) || within(d, k) {
		return fmt.Errorf("sealing: key directory %s and data directory %s overlap: keep the keys apart from the events", keyDir, dataDir)
	}
	return nil
}

// canonicalDir is the absolute path with symbolic links resolved as far as it exists.
func canonicalDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("sealing: directory %s: %w", dir, err)
	}
	// Resolve the longest existing prefix; keep the rest as written.
	rest := ""
	for p := abs; ; p = filepath.Dir(p) {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(real, rest), nil
		}
		if filepath.Dir(p) == p {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
	}
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
