package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func packToGraph(p app.DueDiligencePack) graph.DueDiligencePack {
	return graph.DueDiligencePack{
		ID: p.ID, Bank: &p.Bank, SignedLetter: p.SignedLetter, AccompaniedVisit: p.AccompaniedVisit,
		StaffName: optional(p.StaffName), CorrespondenceAddress: p.CorrespondenceAddress, Status: p.Status,
		ReasonCode: optional(p.ReasonCode), Reason: optional(p.Reason), ProvidedAt: p.ProvidedAt,
		DecidedAt: optionalTime(p.DecidedAt),
	}
}
