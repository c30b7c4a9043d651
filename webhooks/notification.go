// Package webhooks delivers work notifications to the systems of the organisations
// that asked for them (a bank's or a bureau's own queue): an HTTPS POST per
// notification, its JSON body signed with the organisation's secret (HMAC-SHA256 over
// the timestamp and the body), retried with exponential back-off and jitter a bounded
// number of times, then dead-lettered; every attempt is written to a delivery log.
//
// A Notification holds ids and codes only — there is no field a text could go in, and
// Enqueue refuses a value that is not shaped as an id or a code — so no personal data
// can leave this way. Each organisation has its own bounded queue and its own worker:
// a slow or failing receiver delays only its own notifications, and Enqueue never
// waits (a full queue drops its oldest notification, counted and logged).
package webhooks

import (
	"errors"
	"fmt"
	"time"
)

// Notification is one change of an organisation's work, as ids and codes. The JSON
// names are the body's whole schema.
type Notification struct {
	ID           string    `json:"id"`                 // the delivery id (Waymark-Delivery); the receiver's idempotency key
	Organisation string    `json:"organisation"`       // whose work changed (the receiver)
	Type         string    `json:"type"`               // a code, e.g. work.added, work.removed
	CaseID       string    `json:"caseId,omitempty"`   // the case the work is on
	ItemKind     string    `json:"itemKind,omitempty"` // a code: offer, pack, application, dispute, ...
	ItemID       string    `json:"itemId,omitempty"`   // the item's id within the case
	At           time.Time `json:"at"`                 // when the change happened
}

// ErrInvalid is a notification with a field that is not an id or a code.
var ErrInvalid = errors.New("invalid webhook notification")

// maxToken bounds an id or a code.
const maxToken = 100

// validate accepts ids and codes only: 1–100 of letters, digits and - _ . : (the
// organisation, type and delivery id required; case and item optional). Anything
// else — a space, punctuation, a sentence — is refused: whoever fills a notification
// cannot put free text in it.
func (n Notification) validate() error {
	for _, f := range []struct {
		name, v  string
		required bool
	}{{"id", n.ID, true}, {"organisation", n.Organisation, true}, {"type", n.Type, true},
		{"caseId", n.CaseID, false}, {"itemKind", n.ItemKind, false}, {"itemId", n.ItemID, false}} {
		if f.v == "" {
			if f.required {
				return fmt.Errorf("%w: %s is required", ErrInvalid, f.name)
			}
			continue
		}
		if !token(f.v) {
			return fmt.Errorf("%w: %s must be an id or a code (1-%d of letters, digits, '-', '_', '.', ':')", ErrInvalid, f.name, maxToken)
		}
	}
	if n.At.IsZero() {
		return fmt.Errorf("%w: at is required", ErrInvalid)
	}
	return nil
}

func token(s string) bool {
	if len(s) == 0 || len(s) > maxToken {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == ':') {
			return false
		}
	}
	return true
}
