package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func offerToGraph(o app.Offer) graph.BankOffer {
	return graph.BankOffer{
		ID: o.ID, Bank: &o.Bank, Product: o.Product, MonthlyFee: &o.MonthlyFee,
		AcceptedDocuments: nonNil(o.AcceptedDocuments), AcceptsAlternativePack: o.AcceptsAlternativePack,
		Status: o.Status, MadeAt: o.MadeAt,
	}
}
