//go:build !linux

package projections

// mapSnapshotFile is not available here: the file is read into memory instead.
func mapSnapshotFile(string) ([]byte, func(), error) { return nil, nil, errNotMappable }
