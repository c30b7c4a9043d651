package jskeys

import (
	"encoding/binary"
	"fmt"

	"github.com/waymark-org/waymark/sealing"
)

// The stored record of a wrapped key is binary, not JSON or base64, so that a scan of the
// store's files for the raw ciphertext bytes finds them exactly where they are:
//
//	"WK" 0x01 | uvarint len(KEKID) | KEKID | uvarint len(Nonce) | Nonce | Ciphertext
//
// It is the on-disk format of every key directory: change it only with a new version.
const recordVersion = 1

var recordMagic = [3]byte{'W', 'K', recordVersion}

// encodeRecord returns the stored form of k.
func encodeRecord(k sealing.WrappedKey) []byte {
	b := make([]byte, 0, len(recordMagic)+2*binary.MaxVarintLen16+len(k.KEKID)+len(k.Nonce)+len(k.Ciphertext))
	b = append(b, recordMagic[:]...)
	b = binary.AppendUvarint(b, uint64(len(k.KEKID)))
	b = append(b, k.KEKID...)
	b = binary.AppendUvarint(b, uint64(len(k.Nonce)))
	b = append(b, k.Nonce...)
	return append(b, k.Ciphertext...)
}

// decodeRecord parses a stored record; a malformed one is sealing.ErrTampered.
func decodeRecord(b []byte) (sealing.WrappedKey, error) {
	bad := func(what string) (sealing.WrappedKey, error) {
		return sealing.WrappedKey{}, fmt.Errorf("%w: stored key record: %s", sealing.ErrTampered, what)
	}
	if len(b) < len(recordMagic) || [3]byte(b[:3]) != recordMagic {
		return bad("unknown format")
	}
	b = b[len(recordMagic):]
	field := func() ([]byte, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, false
		}
		f := b[w : w+int(n)]
		b = b[w+int(n):]
		return f, true
	}
	id, ok := field()
	if !ok {
		return bad("truncated KEK id")
	}
	nonce, ok := field()
	if !ok {
		return bad("truncated nonce")
	}
	return sealing.WrappedKey{KEKID: string(id), Nonce: nonce, Ciphertext: b}.Clone(), nil
}
