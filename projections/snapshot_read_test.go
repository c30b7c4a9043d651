package projections

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// readSnapshotFile returns the file's bytes and the HMAC of all but its last macSize
// bytes, whatever the size against its chunks; a file that is shorter or longer than
// it was when it was opened is an error, never a short read.
func TestReadSnapshotFile(t *testing.T) {
	key := []byte("snapshot-read-test-key")
	dir := t.TempDir()
	for _, size := range []int{0, macSize - 1, macSize, macSize + 1, readChunk, readChunk + macSize, 2*readChunk + 17} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			want := make([]byte, size)
			_, _ = rand.Read(want)
			path := filepath.Join(dir, fmt.Sprint(size))
			if err := os.WriteFile(path, want, 0o600); err != nil {
				t.Fatal(err)
			}
			raw, bodyMAC, err := readSnapshotFile(path, key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw, want) {
				t.Fatal("the bytes read differ from the file's")
			}
			mac := hmac.New(sha256.New, key)
			mac.Write(want[:max(size-macSize, 0)])
			if got := bodyMAC(); !hmac.Equal(got, mac.Sum(nil)) || !hmac.Equal(bodyMAC(), got) {
				t.Fatal("the MAC differs from the body's")
			}
		})
	}

	buf := make([]byte, 10)
	chunks := make(chan []byte, 16)
	if n, err := readHashing(bytes.NewReader(make([]byte, 11)), buf, 5, chunks); err != nil || n != 11 {
		t.Errorf("a file that grew: %d bytes, %v; want 11", n, err)
	}
	if n, err := readHashing(bytes.NewReader(make([]byte, 7)), buf, 5, chunks); err != nil || n != 7 {
		t.Errorf("a file that shrank: %d bytes, %v; want 7", n, err)
	}
}

// A snapshot read through a mapping of its file (readSnapshot) keeps nothing of the
// mapping, which is gone once it returns: every field of what it decoded still reads
// as written. (Were a string or a slice of it left pointing into the file's pages,
// reading it here would crash the test.)
func TestMappedSnapshotKeepsNothingOfTheFile(t *testing.T) {
	key := []byte("snapshot-map-test-key")
	path := filepath.Join(t.TempDir(), snapshotFile)
	want := fullSnapshotModels()
	if _, err := writeSnapshotFile(path, key, want); err != nil {
		t.Fatal(err)
	}
	// The file maps here: what follows reads it through the mapping, not the read path.
	if _, unmap, err := mapSnapshotFile(path); err != nil {
		t.Fatalf("map the file: %v", err)
	} else {
		unmap()
	}
	got := readSnapshot(t.Context(), path, key)
	if got.err != nil {
		t.Fatal(got.err)
	}
	var cases []*CaseView
	for _, chunk := range got.chunks {
		cases = append(cases, chunk...)
	}
	if !reflect.DeepEqual(cases, want.cases) {
		t.Errorf("cases read back as\n%+v\nwant\n%+v", cases, want.cases)
	}
	m := got.models
	if !reflect.DeepEqual(m.orgs, want.orgs) || !reflect.DeepEqual(m.tokens, want.tokens) ||
		!reflect.DeepEqual(m.subjects, want.subjects) || !reflect.DeepEqual(m.commands, want.commands) ||
		m.checkpoint != want.checkpoint {
		t.Errorf("the other read models read back as %+v, want %+v", m, want)
	}
	if got.parsed.sections != nil || got.parsed.caseChunks != nil {
		t.Error("the parsed snapshot still refers to the file's bytes")
	}
}
