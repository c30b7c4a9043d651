package projections

import (
	"crypto/hmac"
	"crypto/sha256"
	"runtime"
)

// A start's CPU-bound loops (authenticating and decoding the snapshot, opening the
// blind indexes) run while the stores open and every case key is read. Those are
// pipelines of goroutines handing each message on (the NATS server's consumer, the
// client's read loop, the scan), and Go preempts a goroutine that never blocks only
// every 10 ms or so: with a decoder on every processor, each hand-off waited that
// long. The key scan of 100,000 cases, 0.4 s alone, took 6 to 12 s next to two
// spinning goroutines, and 0.8 s next to two that yield every 0.3 ms; it is what a
// restart waits for. So the loops yield every so often, at a cost lost in the noise.

// yieldEvery is how many cases a loop handles between yields: ~0.4 ms of decoding.
const yieldEvery = 64

// yielding returns f, giving up the processor every yieldEvery calls. One per
// goroutine: its count is not shared.
func yielding[T any](f func(*dec) T) func(*dec) T {
	n := 0
	return func(d *dec) T {
		if n++; n%yieldEvery == 0 {
			runtime.Gosched()
		}
		return f(d)
	}
}

// macPiece is how much of a snapshot is hashed between yields: ~0.5 ms.
const macPiece = 1 << 20

// snapshotMAC is the HMAC-SHA256 of body with key, yielding between pieces.
func snapshotMAC(key, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	for len(body) > 0 {
		n := min(len(body), macPiece)
		mac.Write(body[:n])
		body = body[n:]
		runtime.Gosched()
	}
	return mac.Sum(nil)
}
