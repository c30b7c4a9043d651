package api

import (
	"context"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// identitySealed reports whether the identity selection asks for a sealed field: only
// then is her data decrypted and the read recorded.
func identitySealed(ctx context.Context) bool {
	if requested(ctx, "documents", "documentNumber") || requested(ctx, "documents", "reason") ||
		requested(ctx, "documents", "issuingAuthority") {
		return true
	}
	for _, f := range []string{"fullName", "aliases", "dateOfBirth", "phone", "email", "address"} {
		if requested(ctx, f) {
			return true
		}
	}
	return false
}

func identityToGraph(id *app.Identity) *graph.CaseIdentity {
	out := &graph.CaseIdentity{
		Erased: id.Erased, FullName: optional(id.FullName), Aliases: nonNil(id.Aliases),
		DateOfBirth: optional(id.DateOfBirth), Phone: optional(id.Phone), Email: optional(id.Email),
		Address: optional(id.Address), Documents: make([]graph.IDDocument, len(id.Documents)),
	}
	for i, d := range id.Documents {
		out.Documents[i] = graph.IDDocument{
			ID: d.ID, Kind: d.Kind, IssuingOrganisation: d.IssuingOrganisation, IssuingAuthority: optional(d.IssuingAuthority),
			Status: d.Status, DocumentNumber: optional(d.DocumentNumber), ReasonCode: optional(d.ReasonCode),
			Reason: optional(d.Reason), RequestedAt: d.RequestedAt, UpdatedAt: d.UpdatedAt,
		}
	}
	return out
}
