package demo

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
)

// workForEveryBureau makes sure every bureau of the coalition has something in its
// work queue (myWork) at the end of the demo. A US bureau answers a dispute within
// days (decideItems), so the journeys alone usually leave it nothing to do by now; the
// latest open case of its jurisdiction then files one more dispute with it, today, as
// the case's caseworker would. Returns how many disputes it filed.
func workForEveryBureau(ctx context.Context, svc *app.Service, walkers []*walker) (int, error) {
	filed := 0
	for _, bureau := range Coalition() {
		if bureau.Kind != domain.OrgCreditBureau {
			continue
		}
		var latest *walker
		pending := false
		for _, w := range walkers {
			if w.caseID == "" || w.org.Jurisdiction != bureau.Jurisdiction {
				continue
			}
			c, err := w.load(ctx)
			if err != nil {
				return filed, fmt.Errorf("read journey %d: %w", w.n, err)
			}
			if c.Status != domain.StatusOpen || c.Erased {
				continue
			}
			pending = pending || slices.ContainsFunc(slices.Collect(maps.Values(c.Disputes)), func(d domain.CreditDispute) bool {
				return d.Bureau == bureau.ID && d.Status == domain.DisputeFiled
			})
			latest = w
		}
		if pending || latest == nil {
			continue
		}
		if err := latest.fileDisputeNow(ctx, svc, bureau.ID); err != nil {
			return filed, fmt.Errorf("a dispute for %s's queue: %w", bureau.ID, err)
		}
		filed++
	}
	return filed, nil
}

// fileDisputeNow grants the bureau consent, records the report and files a dispute
// of one coerced debt, at the seed clock's now.
func (w *walker) fileDisputeNow(ctx context.Context, svc *app.Service, bureau string) error {
	c, err := w.load(ctx)
	if err != nil {
		return err
	}
	now := svc.Now()
	var cmds []domain.Command
	if _, ok := c.ConsentFor(bureau, domain.PurposeCreditRepair, now); !ok {
		cmds = append(cmds, domain.GrantConsent{Recipient: domain.OrgRef{ID: bureau},
			Categories: []domain.DataCategory{domain.DataIdentity, domain.DataCredit},
			Purposes:   []domain.Purpose{domain.PurposeCreditRepair}, ExpiresAt: now.AddDate(1, 0, 0)})
	}
	creditors := creditorsMX
	if w.org.Jurisdiction == "US" {
		creditors = creditorsUS
	}
	cmds = append(cmds, domain.RecordCreditReportObtained{Bureau: domain.OrgRef{ID: bureau}},
		domain.FileCreditDispute{Bureau: domain.OrgRef{ID: bureau},
			Evidence: []domain.EvidenceKind{domain.EvidenceProofOfIdentity, domain.EvidenceTraffickingDetermination, domain.EvidenceItemsList},
			Items:    []domain.DisputeItem{{ItemID: "item-1", Kind: domain.ItemDebt, Creditor: creditors[0], AccountReference: "DEMO-0000-0001"}}})
	for i, cmd := range cmds {
		if _, err := svc.ChangeCase(ctx, w.worker, app.CaseCommand{
			CommandID: fmt.Sprintf("demo-work-%s-%d-%d", bureau, w.n, i), CaseID: w.caseID, Command: cmd}); err != nil {
			return fmt.Errorf("%T: %w", cmd, err)
		}
	}
	return nil
}
