package projections

import (
	"maps"
	"slices"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// CaseView is the read model of one case. Values handed out are never modified again
// (each event produces a new view), so readers need no lock.
//
// Personal data is kept only as each event stored it (codec.Personal): the view never
// decodes it. The API opens it per request, for a caller allowed to see it.
type CaseView struct {
	ID                 string
	State              domain.Case // the domain's own fold: stage, status, rules' view
	Position           eventstore.Position
	ReferralPosition   eventstore.Position // orders the case list
	OwningOrganisation string
	Jurisdiction       string
	ReferredAt         time.Time
	UpdatedAt          time.Time
	Closure            *ClosureView
	Journey            []JourneyStep
	Survivor           codec.Personal
	Grants             []GrantView
	Documents          []DocumentView
	Referrals          []ReferralView
	Applications       []ApplicationView
	Disputes           []DisputeView
	Notes              []NoteView
	// BlindIndex holds the keyed hashes a case can be found by (none once erased).
	BlindIndex []string
	// Sealed holds the personal sub-objects of the later journey's events, by what
	// they belong to: SealedPack(id), SealedConcern(id), SealedDispute(id),
	// SealedContact. Everything else about them is in State.
	Sealed map[string]codec.Personal
}

// Keys of CaseView.Sealed.
func SealedPack(id string) string    { return "pack:" + id }
func SealedConcern(id string) string { return "concern:" + id }
func SealedDispute(id string) string { return "dispute:" + id }

// SealedContact is the key of the safe-contact rules' notes.
const SealedContact = "contact"

// ClosureView is how and when a case was closed.
type ClosureView struct {
	Outcome domain.ClosureOutcome
	Reason  string
	At      time.Time
}

// JourneyStep is one event of the case, without personal data.
type JourneyStep struct {
	Type              string
	At                time.Time
	Stage             domain.Stage
	Version           uint64
	Position          eventstore.Position
	ActorOrganisation string
}

// GrantView is a consent grant.
type GrantView struct {
	ID          string
	Recipient   string
	Categories  []domain.DataCategory
	Purposes    []domain.Purpose
	GrantedAt   time.Time
	ExpiresAt   time.Time
	WithdrawnAt *time.Time
}

// InForce reports whether the grant allows data to flow at now.
func (g GrantView) InForce(now time.Time) bool {
	return g.WithdrawnAt == nil && now.Before(g.ExpiresAt)
}

// DocumentView is an ID document; its number is personal.
type DocumentView struct {
	ID               string
	Kind             domain.DocumentKind
	IssuingAuthority string
	Status           domain.DocumentStatus
	Number           codec.Personal
	Reason           string
	RequestedAt      time.Time
	UpdatedAt        time.Time
}

// ReferralView is a referral to a partner bank.
type ReferralView struct {
	Bank string
	At   time.Time
}

// ApplicationView is the latest account application at one bank.
type ApplicationView struct {
	Bank        string
	Product     domain.AccountProduct
	Status      domain.ApplicationStatus
	Reason      string
	SubmittedAt time.Time
	UpdatedAt   time.Time
}

// DisputeView is a credit dispute with one bureau.
type DisputeView struct {
	ID         string
	Bureau     string
	ItemCount  int
	Status     domain.DisputeStatus
	Outcome    domain.DisputeOutcome
	Reason     string
	FiledAt    time.Time
	ResolvedAt *time.Time
}

// NoteView is a case note; its text is personal.
type NoteView struct {
	ID                 string
	Text               codec.Personal
	AuthorOrganisation string
	At                 time.Time
}

// next returns a copy of v to change for the next event. Slices are cloned so views
// already handed out never see the change.
func (v *CaseView) next() *CaseView {
	n := *v
	n.Journey = slices.Clone(v.Journey)
	n.Grants = slices.Clone(v.Grants)
	n.Documents = slices.Clone(v.Documents)
	n.Referrals = slices.Clone(v.Referrals)
	n.Applications = slices.Clone(v.Applications)
	n.Disputes = slices.Clone(v.Disputes)
	n.Notes = slices.Clone(v.Notes)
	n.BlindIndex = slices.Clone(v.BlindIndex)
	n.Sealed = maps.Clone(v.Sealed)
	return &n
}
