package bundle

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxMember bounds one member of a bundle read back: a case's events are far
// smaller, and a damaged header must not make the reader allocate without bound.
const MaxMember = 512 << 20

// Bundle is a bundle as read, not yet verified: its manifest and its members' bytes.
type Bundle struct {
	Manifest Manifest
	Members  map[string][]byte // every member but the manifest, by name
}

// known are the members a bundle may hold.
var known = map[string]bool{ManifestName: true, EventsName: true, CheckpointsName: true, KeyName: true}

// Read reads a bundle from r. A truncated or damaged file, an unknown or repeated
// member, or a manifest that does not decode is ErrUnreadable or ErrManifest; nothing
// is verified yet (Verify).
func Read(r io.Reader) (Bundle, error) {
	tr := tar.NewReader(r)
	b := Bundle{Members: map[string][]byte{}}
	var manifest []byte
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Bundle{}, fmt.Errorf("%w: it is truncated, damaged or not a bundle (%v)", ErrUnreadable, err)
		}
		if hdr.Typeflag != tar.TypeReg || !known[hdr.Name] {
			return Bundle{}, fmt.Errorf("%w: it holds %q, which is no member of a bundle", ErrUnreadable, hdr.Name)
		}
		if _, dup := b.Members[hdr.Name]; dup || hdr.Name == ManifestName && manifest != nil {
			return Bundle{}, fmt.Errorf("%w: it holds %s twice", ErrUnreadable, hdr.Name)
		}
		if hdr.Size < 0 || hdr.Size > MaxMember {
			return Bundle{}, fmt.Errorf("%w: %s is %d bytes, more than a bundle member may be", ErrUnreadable, hdr.Name, hdr.Size)
		}
		data, err := io.ReadAll(io.LimitReader(tr, MaxMember))
		if err != nil {
			return Bundle{}, fmt.Errorf("%w: %s is truncated or damaged (%v)", ErrUnreadable, hdr.Name, err)
		}
		if hdr.Name == ManifestName {
			manifest = data
			continue
		}
		b.Members[hdr.Name] = data
	}
	if manifest == nil {
		return Bundle{}, fmt.Errorf("%w: it holds no %s (truncated, or not a bundle)", ErrUnreadable, ManifestName)
	}
	dec := json.NewDecoder(bytes.NewReader(manifest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b.Manifest); err != nil {
		return Bundle{}, fmt.Errorf("%w: %s does not decode (%v)", ErrManifest, ManifestName, err)
	}
	if b.Manifest.Format != Format || b.Manifest.Version != FormatVersion {
		return Bundle{}, fmt.Errorf("%w: it is %q version %d, this waymark reads %q version %d", ErrManifest,
			b.Manifest.Format, b.Manifest.Version, Format, FormatVersion)
	}
	return b, nil
}
