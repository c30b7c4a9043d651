package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// DueDiligencePack is an alternative due-diligence pack the support organisation gave
// a bank in place of standard ID.
type DueDiligencePack struct {
	ID                    string
	Bank                  Organisation
	SignedLetter          bool
	AccompaniedVisit      bool
	StaffName             string // personal: who accompanies the survivor
	CorrespondenceAddress bool
	Status                domain.PackStatus
	ReasonCode            domain.PackRejectionReason // why the bank rejected it
	Reason                string                     // personal: the text beside ReasonCode
	ProvidedAt            time.Time
	DecidedAt             time.Time // zero until decided
	// Withheld: personal fields left empty for want of a stated reason.
	Withheld Withheld
}

// packs lists the packs the caller may see, opening their staff and reasons with o
// as sealed asks.
func (c *Case) packs(ctx context.Context, o *Opener, sealed SealedBanking) ([]DueDiligencePack, error) {
	out := []DueDiligencePack{}
	for _, p := range sortedBy(c.v.State.Packs, func(p domain.DueDiligencePack) time.Time { return p.ProvidedAt }, func(p domain.DueDiligencePack) string { return p.PackID }) {
		if !c.sees(p.Bank) {
			continue
		}
		pack := DueDiligencePack{
			ID: p.PackID, Bank: c.org(p.Bank), SignedLetter: p.SignedLetter, AccompaniedVisit: p.AccompaniedVisit,
			CorrespondenceAddress: p.CorrespondenceAddress, Status: p.Decision, ReasonCode: p.ReasonCode,
			ProvidedAt: p.ProvidedAt, DecidedAt: p.DecidedAt,
		}
		if sealed.PackStaff {
			var staff domain.StaffDetails
			err := open(ctx, o, c.v.Sealed[projections.SealedPack(p.PackID)], &staff)
			if err := withhold(&pack.Withheld, "StaffName", err); err != nil {
				return nil, err
			}
			pack.StaffName = staff.StaffName
		}
		if sealed.PackReasons {
			var err error
			pack.Reason, err = text(ctx, o, c.v.Sealed[projections.SealedPackRejection(p.PackID)])
			if err := withhold(&pack.Withheld, "Reason", err); err != nil {
				return nil, err
			}
		}
		out = append(out, pack)
	}
	return out, nil
}
