package sealing

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// CaseMAC returns a keyed hash of data under a key derived from the case's own data
// key and purpose: HMAC-SHA-256(HMAC-SHA-256(dataKey, "waymark/" + purpose), data), in
// hex. It fingerprints what belongs to one survivor (a retried command's input, which
// holds her name and date of birth) so that the fingerprint can be checked while the
// case lives and means nothing once she is erased: the key goes with the case key
// (ErrKeyDestroyed), and no one can then test a guess against it offline.
func (v *Vault) CaseMAC(ctx context.Context, caseID, purpose string, data []byte) (string, error) {
	if purpose == "" {
		return "", errors.New("sealing: case mac: a purpose is required")
	}
	dk, err := v.dataKey(ctx, caseID)
	if err != nil {
		return "", fmt.Errorf("sealing: case mac of case %s: %w", caseID, err)
	}
	defer clear(dk)
	derive := hmac.New(sha256.New, dk)
	derive.Write([]byte("waymark/" + purpose))
	key := derive.Sum(nil)
	defer clear(key)
	mac := hmac.New(sha256.New, key)
	mac.Write(data)
	return hex.EncodeToString(mac.Sum(nil)), nil
}
