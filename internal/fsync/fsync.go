// Package fsync makes what was written, renamed or removed durable by name.
package fsync

import "os"

// Path fsyncs the file or directory at path: a file's contents, or a directory's
// entries (what a create, rename or remove in it did). A file renamed over another is
// synced as it now is.
func Path(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
