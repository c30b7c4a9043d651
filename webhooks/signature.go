package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery.
const (
	HeaderSignature = "Waymark-Signature" // t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
	HeaderDelivery  = "Waymark-Delivery"  // the notification's id: the same on every attempt
	HeaderEvent     = "Waymark-Event"     // the notification's type
	HeaderAttempt   = "Waymark-Attempt"   // 1 for the first attempt
)

// Sign returns the Waymark-Signature header value for body sent at t. The timestamp is
// inside what is signed, so a receiver that refuses old timestamps refuses replays.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// ErrSignature is a delivery whose signature does not verify.
var ErrSignature = errors.New("webhook signature does not verify")

// Verify checks a Waymark-Signature header against body with the secret, and that its
// timestamp lies within tolerance of now (0: any age). Receivers written in Go can use
// it; the README shows the same check in a few lines of any language.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return fmt.Errorf("%w: the header is not t=<seconds>,v1=<hex>", ErrSignature)
	}
	if !hmac.Equal([]byte(sig), []byte(mac(secret, ts, body))) {
		return ErrSignature
	}
	if age := now.Sub(time.Unix(sec, 0)); tolerance > 0 && (age > tolerance || age < -tolerance) {
		return fmt.Errorf("%w: timestamp %s is outside the %s window", ErrSignature, time.Unix(sec, 0).UTC().Format(time.RFC3339), tolerance)
	}
	return nil
}
