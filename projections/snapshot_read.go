package projections

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// readChunk is how much of the snapshot file one read takes before its bytes are
// handed to the MAC.
const readChunk = 4 << 20

// readSnapshotFile reads the snapshot file at path whole, and computes the MAC of its
// body under key while it reads: one goroutine hashes a chunk while the next is read.
// A start spent 1.3 s reading and authenticating a 186 MB file, 0.35 s of it HMAC
// after the last byte was in. bodyMAC returns the MAC (it waits for the hash to end);
// a file shorter than a MAC has an empty body.
func readSnapshotFile(path string, key []byte) (raw []byte, bodyMAC func() []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := int(info.Size())
	raw = make([]byte, size)
	bodyEnd := max(size-macSize, 0)
	chunks := make(chan []byte, 16)
	sum := make(chan []byte, 1)
	go func() {
		mac := hmac.New(sha256.New, key)
		for c := range chunks {
			mac.Write(c)
		}
		sum <- mac.Sum(nil)
	}()
	read, err := readHashing(f, raw, bodyEnd, chunks)
	close(chunks)
	if err != nil {
		<-sum
		return nil, nil, err
	}
	if read != size {
		<-sum
		return nil, nil, fmt.Errorf("the file changed while it was read (%d bytes, then %d)", size, read)
	}
	return raw, sync.OnceValue(func() []byte { return <-sum }), nil
}

// readHashing fills buf from r a chunk at a time, sends each chunk's part before
// bodyEnd to chunks, and returns how many bytes r had (one more than buf, at most:
// a file that grew).
func readHashing(r io.Reader, buf []byte, bodyEnd int, chunks chan<- []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := io.ReadFull(r, buf[n:min(n+readChunk, len(buf))])
		if hashed := min(n+m, bodyEnd); hashed > n {
			chunks <- buf[n:hashed]
		}
		n += m
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return n, nil // shorter than it was: the caller says so
		}
		if err != nil {
			return n, err
		}
	}
	var one [1]byte
	if m, _ := r.Read(one[:]); m > 0 {
		return n + 1, nil
	}
	return n, nil
}
