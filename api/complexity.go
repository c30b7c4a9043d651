package api

import (
	"time"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
)

// Query cost, as gqlgen's complexity limit counts it (MaxComplexity in limits.go). By
// default every field costs 1 plus its selection; that let one request ask for 100
// aliases of a page of 100 cases' names (10,000 identity reads) for 500. Here a list
// costs its selection once per item it may return, and personal data costs more than
// the rest: reading it decrypts, and records an access.
const (
	// personalGroupCost is a Case field group holding personal data (identity, notes,
	// contact, safeguarding).
	personalGroupCost = 10
	// sealedFieldCost is a sealed personal field inside a group.
	sealedFieldCost = 5
	// assumedListSize is what a list without a page size is counted as (the
	// directory, an access log).
	assumedListSize = 20
	// queueCost is a read of the caller's own queue (myWork, creditDisputesDue) before
	// its items: it visits every case, or every open dispute, of the caller's
	// organisation, so one request may hold at most a handful of them (MaxComplexity
	// 6,000: five).
	queueCost = 1000
)

// complexity returns the cost functions for graph.Config.
func complexity() graph.ComplexityRoot {
	var c graph.ComplexityRoot
	c.Query.Cases = func(child int, _ *app.CaseFilter, first *int, _ *string, last *int, _, _ *string) int {
		return 1 + pageCost(first, last, app.DefaultPageSize, app.MaxPageSize)*child
	}
	c.Query.CreditDisputesDue = func(child int, first *int, _ *string, last *int, _ *string, _ *bool, _ *time.Time, _ *string) int {
		return queueCost + pageCost(first, last, app.DefaultDuePage, app.MaxDuePage)*child
	}
	c.Query.Organisations = func(child int, _ *string, _ *domain.OrganisationKind, _ *string) int {
		return 1 + assumedListSize*child
	}
	c.Query.AccessLog = func(child int, _ string, first *int, _ *string, last *int, _ *string, _ *graph.AccessLogFilter) int {
		return 1 + pageCost(first, last, app.DefaultAccessLogPage, app.MaxAccessLogPage)*child
	}
	c.Query.AccessLogReport = func(child int, _, _ time.Time) int { return 1 + assumedListSize*child }
	c.Query.CaseHistory = func(child int, _ string, first *int, _ *string, last *int, _ *string) int {
		return 1 + pageCost(first, last, app.DefaultHistoryPage, app.MaxHistoryPage)*child
	}
	c.HistoryEvent.Personal = func(int) int { return sealedFieldCost }
	c.Query.MyWork = func(child int, first *int, _ *string, last *int, _, _ *string) int {
		return queueCost + pageCost(first, last, app.DefaultPageSize, app.MaxPageSize)*child
	}

	group := func(child int) int { return personalGroupCost + child }
	c.Case.Identity, c.Case.Notes, c.Case.Contact, c.Case.Safeguarding = group, group, group, group

	sealed := func(int) int { return sealedFieldCost }
	c.IDDocument.DocumentNumber = sealed
	c.CaseNote.Text = sealed
	c.SafeContactRules.Notes = sealed
	c.SafeguardingConcern.Details = sealed
	c.DueDiligencePack.StaffName = sealed
	c.DisputeItem.Creditor = sealed
	c.DisputeItem.AccountReference = sealed
	for _, f := range []*func(int) int{&c.CaseIdentity.FullName, &c.CaseIdentity.Aliases, &c.CaseIdentity.DateOfBirth,
		&c.CaseIdentity.Phone, &c.CaseIdentity.Email, &c.CaseIdentity.Address} {
		*f = sealed
	}
	return c
}
