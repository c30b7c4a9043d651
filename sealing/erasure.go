package sealing

import (
	"context"
	"time"
)

// Erasure is one line of the erasure ledger: a case whose personal data was erased
// (its key destroyed), when, by which event, for which reason code. No personal data:
// ids, a time and a code.
type Erasure struct {
	At     time.Time `json:"at"`
	CaseID string    `json:"case"`
	// EventID is the id of the SurvivorDataErased event, drawn before the key was
	// destroyed and the event appended: if the process stopped in between, or lost a
	// race and drew another, no event of that id is in the log, and the case's key is
	// gone all the same.
	EventID string `json:"event"`
	Reason  string `json:"reason"`
}

// ErasureLedger keeps the record of every erasure outside the event store and outside
// every backup of it, beside the key store (sealing/erasurelog). A backup taken before
// an erasure still holds the case's events (and, with its keys, the key): restoring it
// applies the ledger, so that the case stays erased.
type ErasureLedger interface {
	// RecordErasure writes e durably; the erasure goes ahead only once it returned.
	RecordErasure(ctx context.Context, e Erasure) error
}
