package domain

import (
	"fmt"
	"slices"
	"time"
)

// The journey's rules, one function per case command. Each checks, in this order:
// the command's own fields (ErrInvalidInput, ErrWrongOrganisationKind), references
// to things the case must already have (ErrInvalidInput: unknown grant/document/
// dispute), where the journey stands (ErrInvalidTransition), and last whether the
// survivor's consent lets the data flow (ErrConsentRequired). Decide has already
// checked that the case exists and is open, and that an erased case is not given
// personal data.
//
// This file holds the original journey's rules; the later steps have a file each
// (offers.go, duediligence.go, safeguarding.go, contact.go, credit.go,
// disputeitems.go, barriers.go).

const dateLayout = "2006-01-02"

// ---- Consent -----------------------------------------------------------------------

// InForce reports whether the grant lets data flow at now: not withdrawn and not yet
// expired (a grant expires at ExpiresAt itself).
func (g ConsentGrant) InForce(now time.Time) bool {
	return !g.Withdrawn && now.Before(g.ExpiresAt)
}

// Covers reports whether the grant, in force at now, lets recipient receive data for
// purpose p.
func (g ConsentGrant) Covers(recipient string, p Purpose, now time.Time) bool {
	return g.InForce(now) && g.Recipient == recipient && slices.Contains(g.Purposes, p)
}

// ConsentFor finds a grant in force at now that lets recipient receive data for p.
// When several do, it picks the one that lasts longest (then the smallest id), so
// the choice recorded in an event does not depend on map order.
func (c Case) ConsentFor(recipient string, p Purpose, now time.Time) (ConsentGrant, bool) {
	var best ConsentGrant
	found := false
	for _, g := range c.Grants {
		if !g.Covers(recipient, p, now) {
			continue
		}
		if !found || g.ExpiresAt.After(best.ExpiresAt) || (g.ExpiresAt.Equal(best.ExpiresAt) && g.ID < best.ID) {
			best, found = g, true
		}
	}
	return best, found
}

func requireConsent(c Case, kind, recipient string, p Purpose, now time.Time) (ConsentGrant, error) {
	g, ok := c.ConsentFor(recipient, p, now)
	if !ok {
		return g, consentRequired(fmt.Sprintf("no consent grant in force lets %s %s receive data for %s", kind, recipient, p))
	}
	return g, nil
}

// ---- Stages ------------------------------------------------------------------------

// stageReachedBy says which stage an event shows the case has reached ("" if none).
func stageReachedBy(e Event) Stage {
	switch e.(type) {
	case SurvivorReferred:
		return StageReferral
	case IDDocumentRequested:
		return StageIDRecovery
	case BankReferralMade, AccountApplicationSubmitted, BankAccountOpened,
		BankOfferMade, DueDiligencePackProvided, SafeguardingConcernRaised:
		return StageAccountOpening
	case CreditDisputeFiled, CreditReportObtained, CreditDisputeItemDecided, CreditDisputeResubmitted:
		return StageCreditRepair
	}
	return ""
}

// furthest keeps the later stage: stages can be skipped but never go back.
func furthest(a, b Stage) Stage {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// ---- Case commands -----------------------------------------------------------------

func decideReferSurvivor(cmd ReferSurvivor, now time.Time) ([]Event, error) {
	org := cmd.ReferringOrganisation
	if err := checkOrg("referringOrganisationId", org); err != nil {
		return nil, err
	}
	if !org.Kind.SupportsSurvivors() {
		return nil, wrongKind("referringOrganisationId",
			fmt.Sprintf("organisation %s is registered as %s; only a shelter, an NGO or a government service can refer a survivor", org.ID, kindName(org.Kind)))
	}
	if err := checkJurisdiction("jurisdiction", cmd.Jurisdiction); err != nil {
		return nil, err
	}
	if err := checkList("needs", cmd.Needs, false); err != nil {
		return nil, err
	}
	if err := checkList("barriers", cmd.Barriers, false); err != nil {
		return nil, err
	}
	p, err := checkSurvivor(cmd.Survivor, now)
	if err != nil {
		return nil, err
	}
	return one(SurvivorReferred{
		ReferringOrganisation: org.ID, Jurisdiction: cmd.Jurisdiction,
		Needs: cloneList(cmd.Needs), Barriers: cloneList(cmd.Barriers), At: now, Personal: &p,
	})
}

// checkSurvivor checks the survivor's personal data given at referral and returns it
// as stored: trimmed, empty aliases dropped.
func checkSurvivor(s SurvivorDetails, now time.Time) (SurvivorDetails, error) {
	var p SurvivorDetails
	var err error
	if p.FullName, err = cleanText("survivor.fullName", s.FullName, textRule{max: MaxNameLength, required: "the survivor's full name is required"}); err != nil {
		return p, err
	}
	for i, a := range s.Aliases {
		a, err := cleanText(fmt.Sprintf("survivor.aliases[%d]", i), a, nameRule)
		if err != nil {
			return p, err
		}
		if a != "" && !slices.Contains(p.Aliases, a) {
			p.Aliases = append(p.Aliases, a)
		}
	}
	if len(p.Aliases) > MaxAliases {
		return p, invalid("survivor.aliases", fmt.Sprintf("at most %d aliases (got %d)", MaxAliases, len(p.Aliases)))
	}
	if p.DateOfBirth, err = cleanText("survivor.dateOfBirth", s.DateOfBirth, textRule{max: len(dateLayout)}); err != nil {
		return p, err
	}
	if p.DateOfBirth != "" {
		if err := checkDateOfBirth("survivor.dateOfBirth", p.DateOfBirth, now); err != nil {
			return p, err
		}
	}
	if p.Phone, err = cleanText("survivor.phone", s.Phone, textRule{max: MaxPhoneLength}); err != nil {
		return p, err
	}
	if p.Phone != "" {
		if err := checkPhone("survivor.phone", p.Phone); err != nil {
			return p, err
		}
	}
	if p.Email, err = cleanText("survivor.email", s.Email, textRule{max: MaxEmailLength}); err != nil {
		return p, err
	}
	if p.Email != "" {
		if err := checkEmail("survivor.email", p.Email); err != nil {
			return p, err
		}
	}
	if p.Address, err = cleanText("survivor.address", s.Address, textRule{max: MaxAddressLength, multiline: true}); err != nil {
		return p, err
	}
	return p, nil
}

func decideGrantConsent(c Case, cmd GrantConsent, now time.Time) ([]Event, error) {
	if err := checkID("grantId", cmd.GrantID); err != nil {
		return nil, err
	}
	if _, used := c.Grants[cmd.GrantID]; used {
		return nil, invalid("grantId", fmt.Sprintf("grant id %s is already used on this case; a new grant needs a new id", cmd.GrantID))
	}
	if err := checkOrg("recipientOrganisationId", cmd.Recipient); err != nil {
		return nil, err
	}
	if err := checkList("categories", cmd.Categories, true); err != nil {
		return nil, err
	}
	if err := checkList("purposes", cmd.Purposes, true); err != nil {
		return nil, err
	}
	if !cmd.ExpiresAt.After(now) {
		return nil, invalid("expiresAt", fmt.Sprintf("consent must expire in the future (after %s)", now.Format(time.RFC3339)))
	}
	return one(ConsentGranted{
		GrantID: cmd.GrantID, Recipient: cmd.Recipient.ID,
		Categories: cloneList(cmd.Categories), Purposes: cloneList(cmd.Purposes),
		ExpiresAt: cmd.ExpiresAt.UTC(), At: now,
	})
}

func decideWithdrawConsent(c Case, cmd WithdrawConsent, now time.Time) ([]Event, error) {
	if err := checkID("grantId", cmd.GrantID); err != nil {
		return nil, err
	}
	g, ok := c.Grants[cmd.GrantID]
	if !ok {
		return nil, invalid("grantId", fmt.Sprintf("unknown grant %s on this case", cmd.GrantID))
	}
	if g.Withdrawn {
		return nil, transition(fmt.Sprintf("grant %s was already withdrawn on %s", g.ID, g.WithdrawnAt.Format(time.DateOnly)))
	}
	return one(ConsentWithdrawn{GrantID: cmd.GrantID, At: now})
}

func decideRequestIDDocument(c Case, cmd RequestIDDocument, now time.Time) ([]Event, error) {
	if err := checkID("documentId", cmd.DocumentID); err != nil {
		return nil, err
	}
	if _, used := c.Documents[cmd.DocumentID]; used {
		return nil, invalid("documentId", fmt.Sprintf("document id %s is already used on this case", cmd.DocumentID))
	}
	if !cmd.Kind.Valid() {
		return nil, invalid("kind", fmt.Sprintf("unknown document kind %q", cmd.Kind))
	}
	authority, err := cleanText("issuingAuthority", cmd.IssuingAuthority, authorityRule)
	if err != nil {
		return nil, err
	}
	e := IDDocumentRequested{DocumentID: cmd.DocumentID, Kind: cmd.Kind, At: now}
	switch issuer := cmd.IssuingOrganisation; {
	case issuer.ID != "" && authority != "":
		return nil, invalid("issuingAuthority", "name the issuing authority once: by its organisation id, or in free text when it is not in the directory")
	case issuer.ID != "":
		if err := checkOrg("issuingOrganisationId", issuer); err != nil {
			return nil, err
		}
		if issuer.Kind != OrgIDOffice && issuer.Kind != OrgGovernment {
			return nil, wrongKind("issuingOrganisationId", fmt.Sprintf("organisation %s is a %s; documents are issued by an ID office or a government body", issuer.ID, kindName(issuer.Kind)))
		}
		e.IssuingOrganisation = issuer.ID
	case authority != "":
		e.Personal = &AuthorityDetails{IssuingAuthority: authority}
	default:
		return nil, invalid("issuingOrganisationId", "name the issuing authority: an ID office's organisation id, or its name in issuingAuthority when it is not in the directory")
	}
	return one(e)
}

func decideIDDocumentObtained(c Case, cmd RecordIDDocumentObtained, now time.Time) ([]Event, error) {
	number, err := cleanText("documentNumber", cmd.DocumentNumber, textRule{max: MaxDocumentNumberLen, required: "the document number is required"})
	if err != nil {
		return nil, err
	}
	if err := requestedDocument(c, cmd.DocumentID, "obtained"); err != nil {
		return nil, err
	}
	return one(IDDocumentObtained{DocumentID: cmd.DocumentID, At: now, Personal: &DocumentDetails{DocumentNumber: number}})
}

func decideIDDocumentRefused(c Case, cmd RecordIDDocumentRefused, now time.Time) ([]Event, error) {
	if err := checkCode("reasonCode", cmd.ReasonCode, "refusal reason"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	if err := requestedDocument(c, cmd.DocumentID, "refused"); err != nil {
		return nil, err
	}
	return one(IDDocumentRefused{DocumentID: cmd.DocumentID, ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

// requestedDocument checks a document exists and still awaits an answer: a document
// is obtained or refused once; a new attempt is a new request.
func requestedDocument(c Case, id, outcome string) error {
	if err := checkID("documentId", id); err != nil {
		return err
	}
	d, ok := c.Documents[id]
	if !ok {
		return invalid("documentId", fmt.Sprintf("unknown document %s on this case", id))
	}
	if d.Status != DocumentRequested {
		return transition(fmt.Sprintf("document %s is already %s; it cannot now be %s (request it again instead)", id, d.Status, outcome))
	}
	return nil
}

func decideReferToBank(c Case, cmd ReferToBank, now time.Time) ([]Event, error) {
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if r, ok := c.BankReferrals[cmd.Bank.ID]; ok {
		return nil, transition(fmt.Sprintf("the case was already referred to bank %s on %s", r.Bank, r.At.Format(time.DateOnly)))
	}
	g, err := requireConsent(c, "bank", cmd.Bank.ID, PurposeBanking, now)
	if err != nil {
		return nil, err
	}
	return one(BankReferralMade{Bank: cmd.Bank.ID, GrantID: g.ID, At: now})
}

func decideSubmitAccountApplication(c Case, cmd SubmitAccountApplication, now time.Time) ([]Event, error) {
	bank := cmd.Bank.ID
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if !cmd.Product.Valid() {
		return nil, invalid("product", fmt.Sprintf("unknown account product %q", cmd.Product))
	}
	if _, ok := c.BankReferrals[bank]; !ok {
		return nil, transition(fmt.Sprintf("the case was not referred to bank %s; refer it before applying there", bank))
	}
	if a, ok := c.Applications[bank]; ok && a.Status != ApplicationDeclined {
		return nil, transition(fmt.Sprintf("there is already an application at bank %s (%s)", bank, a.Status))
	}
	if _, err := requireConsent(c, "bank", bank, PurposeBanking, now); err != nil {
		return nil, err
	}
	return one(AccountApplicationSubmitted{Bank: bank, Product: cmd.Product, At: now})
}

func decideAccountOpened(c Case, cmd RecordAccountOpened, now time.Time) ([]Event, error) {
	bank := cmd.Bank.ID
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if !cmd.Product.Valid() {
		return nil, invalid("product", fmt.Sprintf("unknown account product %q", cmd.Product))
	}
	if _, ok := c.BankReferrals[bank]; !ok {
		return nil, transition(fmt.Sprintf("account opening only at a bank the case was referred to; it was not referred to bank %s", bank))
	}
	if err := submittedApplication(c, bank, "opened"); err != nil {
		return nil, err
	}
	if !c.AcceptsForOpening(bank) {
		return nil, transition(fmt.Sprintf("no accepted ID document or due-diligence pack for bank %s", bank))
	}
	return one(BankAccountOpened{Bank: bank, Product: cmd.Product, At: now})
}

func decideAccountDeclined(c Case, cmd RecordAccountDeclined, now time.Time) ([]Event, error) {
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if err := checkCode("reasonCode", cmd.ReasonCode, "decline reason"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	if err := submittedApplication(c, cmd.Bank.ID, "declined"); err != nil {
		return nil, err
	}
	return one(AccountApplicationDeclined{Bank: cmd.Bank.ID, ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

func submittedApplication(c Case, bank, outcome string) error {
	a, ok := c.Applications[bank]
	if !ok {
		return transition(fmt.Sprintf("there is no application at bank %s to be %s; submit one first", bank, outcome))
	}
	if a.Status != ApplicationSubmitted {
		return transition(fmt.Sprintf("the application at bank %s is already %s; submit a new one first", bank, a.Status))
	}
	return nil
}

func decideAddCaseNote(cmd AddCaseNote, now time.Time) ([]Event, error) {
	if err := checkID("noteId", cmd.NoteID); err != nil {
		return nil, err
	}
	text, err := cleanText("text", cmd.Text, noteRule)
	if err != nil {
		return nil, err
	}
	return one(CaseNoteAdded{NoteID: cmd.NoteID, At: now, Personal: &NoteDetails{Text: text}})
}

func decideCloseCase(cmd CloseCase, now time.Time) ([]Event, error) {
	if err := checkCode("outcome", cmd.Outcome, "closure outcome"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	return one(CaseClosed{Outcome: cmd.Outcome, At: now, Personal: text})
}

// decideReopenCase runs on closed cases too: it is the one command a closed case
// accepts. Reopening needs a reason because it undoes a decision someone recorded.
func decideReopenCase(c Case, cmd ReopenCase, now time.Time) ([]Event, error) {
	if err := checkCode("reasonCode", cmd.ReasonCode, "reason for reopening"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	if c.Status != StatusClosed {
		return nil, transition("the case is open; only a closed case can be reopened")
	}
	return one(CaseReopened{ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

// ---- Erasure -----------------------------------------------------------------------

func decideEraseSurvivorData(c Case, cmd EraseSurvivorData, now time.Time) ([]Event, error) {
	if err := checkCode("reasonCode", cmd.ReasonCode, "reason for the erasure"); err != nil {
		return nil, err
	}
	if c.Erased {
		return nil, transition("the survivor's data was already erased")
	}
	return one(SurvivorDataErased{ReasonCode: cmd.ReasonCode, At: now})
}

// erasedTransition rejects new personal data on a case whose survivor data was erased:
// there is no key left to seal it with, and the survivor asked for it to be gone.
func erasedTransition() error {
	return transition("the survivor's data was erased; no personal data can be recorded on this case")
}
