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

// yielder gives up the processor every yieldEvery ticks. One per goroutine: its
// count is not shared.
type yielder struct{ n int }

func (y *yielder) tick() {
	if y.n++; y.n%yieldEvery == 0 {
		runtime.Gosched()
	}
}

// yielding returns f, ticking a yielder of its own at every call.
func yielding[T any](f func(*dec) T) func(*dec) T {
	var y yielder
	return func(d *dec) T {
		y.tick()
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
