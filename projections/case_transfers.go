package projections

import (
	"slices"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
)

// TransferView is one transfer of the case, as asked and as answered. The domain's
// fold keeps only the pending one; the view keeps them all, for the case's transfer
// history, with the texts beside their reason codes as the events stored them
// (sealed, gone with the case key).
type TransferView struct {
	ID, From, To      string
	ToJurisdiction    string
	ReasonCode        domain.TransferReason
	Reason            codec.Personal // the owner's text, sealed
	RequestedAt       time.Time
	Status            domain.TransferStatus
	DeclineReasonCode domain.TransferDeclineReason
	DeclineReason     codec.Personal // the recipient's text, sealed
	DecidedAt         time.Time      // accepted, declined or cancelled; zero while pending
}

// applyTransfer records a transfer event in v's transfer history. The slice is
// shared with older views and only appended to; an answer changes a copy.
func (v *CaseView) applyTransfer(e domain.Event, p codec.Personal) {
	switch e := e.(type) {
	case domain.CaseTransferRequested:
		v.Transfers = append(v.Transfers, TransferView{ID: e.TransferID, From: symbols.intern(e.From), To: symbols.intern(e.To),
			ToJurisdiction: symbols.intern(e.ToJurisdiction), ReasonCode: e.ReasonCode, Reason: p, RequestedAt: e.At, Status: domain.TransferPending})
	case domain.CaseTransferAccepted:
		v.answerTransfer(e.TransferID, func(t *TransferView) { t.Status, t.DecidedAt = domain.TransferAccepted, e.At })
	case domain.CaseTransferDeclined:
		v.answerTransfer(e.TransferID, func(t *TransferView) {
			t.Status, t.DecidedAt, t.DeclineReasonCode, t.DeclineReason = domain.TransferDeclined, e.At, e.ReasonCode, p
		})
	case domain.CaseTransferCancelled:
		v.answerTransfer(e.TransferID, func(t *TransferView) { t.Status, t.DecidedAt = domain.TransferCancelled, e.At })
	}
}

// answerTransfer changes the pending transfer id, in a copy of the history.
func (v *CaseView) answerTransfer(id string, f func(*TransferView)) {
	i := slices.IndexFunc(v.Transfers, func(t TransferView) bool { return t.ID == id && t.Status == domain.TransferPending })
	if i < 0 {
		return
	}
	v.Transfers = slices.Clone(v.Transfers)
	f(&v.Transfers[i])
}

// eraseTransferTexts forgets the transfers' texts (the key is gone), in a copy.
func (v *CaseView) eraseTransferTexts() {
	if len(v.Transfers) == 0 {
		return
	}
	v.Transfers = slices.Clone(v.Transfers)
	for i := range v.Transfers {
		v.Transfers[i].Reason, v.Transfers[i].DeclineReason = codec.Personal{}, codec.Personal{}
	}
}
