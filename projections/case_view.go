package projections

import (
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// CaseView is the read model of one case: the domain's own fold of its events (State:
// stage, grants, documents, referrals, applications, offers, packs, concerns, disputes
// …) and what the fold does not keep. Values handed out are never modified again (each
// event produces a new view), so readers need no lock.
//
// Personal data is kept only as each event stored it (sealed codec.Personal): the view
// never decodes it. The API opens it per request, for a caller allowed to see it.
type CaseView struct {
	ID               string
	State            domain.Case
	Position         eventstore.Position
	ReferralPosition eventstore.Position // orders the case list
	ReferredAt       time.Time
	UpdatedAt        time.Time
	Closure          *ClosureView
	Reopenings       []ReopeningView
	Transfers        []TransferView // every transfer asked for, oldest first (case_transfers.go)
	// Journey holds one compact step per event, in order (JourneySteps expands them).
	Journey  []Step
	Survivor codec.Personal
	// Notes lists the notes without their text: a case gathers many notes, and their
	// sealed texts were most of a case's memory. The text is read from the note's own
	// event when it is opened (NoteTexts), on the path that records that read.
	Notes []NoteView
	// BlindIndex holds the keyed hashes a case can be found by (none once erased).
	BlindIndex []string
	// SealedIndex holds the events' blind indexes as they were stored, sealed with the
	// case key, which BlindIndex was opened from (none once erased). A snapshot keeps
	// these, never the opened tokens, and opens them again on load: erasure (the key
	// destroyed) then takes them from the snapshot too.
	SealedIndex []codec.Personal
	// Sealed holds the other events' personal sub-objects by the entry they belong to
	// (the Sealed* keys below): document numbers, named authorities, staff members,
	// creditors, concern details, contact notes, and the texts beside reason codes.
	Sealed map[string]codec.Personal

	// sealedOwned: Sealed is this view's own, not shared with the view before it.
	sealedOwned bool
}

// OwningOrganisation is the referring organisation that owns the case.
func (v *CaseView) OwningOrganisation() string { return v.State.OwnerOrganisation }

// Jurisdiction is where the case is handled (ISO 3166 alpha-2).
func (v *CaseView) Jurisdiction() string { return v.State.Jurisdiction }

// ClosureView is how and when a case was closed; Reason is the caseworker's text,
// sealed.
type ClosureView struct {
	Outcome domain.ClosureOutcome
	Reason  codec.Personal
	At      time.Time
}

// ReopeningView is one reopening of the case; Reason is the caseworker's text, sealed.
type ReopeningView struct {
	ReasonCode domain.ReopenReason
	Reason     codec.Personal
	At         time.Time
}

// Step is one event of the case as the view keeps it: 40 bytes and no pointers
// instead of a JourneyStep's 112 and its strings. The strings are numbered in the
// process's symbol table (symbols.go); the version is the step's place in the
// journey (every event of the case has a step, in order).
type Step struct {
	Position eventstore.Position
	At       int64 // recorded at, Unix nanoseconds (UTC); 0 for the zero time
	// Type, Stage, ActorOrganisation and Party, numbered.
	Type, Stage, ActorOrganisation, Party uint32
}

// newStep numbers s's strings.
func newStep(s JourneyStep) Step {
	return Step{Position: s.Position, At: unixNano(s.At), Type: symbols.id(s.Type), Stage: symbols.id(string(s.Stage)),
		ActorOrganisation: symbols.id(s.ActorOrganisation), Party: symbols.id(s.Party)}
}

// journeyStep expands the step at index i of a journey.
func (s Step) journeyStep(i int) JourneyStep {
	return JourneyStep{Type: symbols.name(s.Type), At: fromUnixNano(s.At), Stage: domain.Stage(symbols.name(s.Stage)),
		Version: uint64(i) + 1, Position: s.Position, ActorOrganisation: symbols.name(s.ActorOrganisation), Party: symbols.name(s.Party)}
}

// CompactJourney is steps as a view keeps them (tests build views with it). Each
// step's Version must be its place in steps plus one, as in a view.
func CompactJourney(steps []JourneyStep) []Step {
	out := make([]Step, len(steps))
	for i, s := range steps {
		out[i] = newStep(s)
	}
	return out
}

// JourneySteps returns the case's steps in order, expanded.
func (v *CaseView) JourneySteps() []JourneyStep {
	out := make([]JourneyStep, len(v.Journey))
	for i, s := range v.Journey {
		out[i] = s.journeyStep(i)
	}
	return out
}

// JourneyStep is one event of the case, without personal data.
type JourneyStep struct {
	Type              string
	At                time.Time
	Stage             domain.Stage
	Version           uint64
	Position          eventstore.Position
	ActorOrganisation string
	// Party is the bank, bureau or recipient organisation the step concerns ("" for
	// none); the API shows banks and bureaus only their own steps and general ones.
	Party string
}

// NoteView is a case note. Its text is personal, sealed in the note's event: the
// event at Revision of the case's stream (NoteTexts). A case gathers many notes, so a
// note is 40 bytes without pointers, like a journey Step: its id compact (compactID),
// its author numbered in the symbol table, its time in Unix nanoseconds, UTC.
type NoteView struct {
	id       compactID
	author   uint32
	at       int64 // 0 for the zero time
	Revision uint64
}

// NewNoteView is the note id, written by organisation author at at, whose event is at
// revision of the case's stream.
func NewNoteView(id, author string, at time.Time, revision uint64) NoteView {
	return NoteView{id: newCompactID(id), author: symbols.id(author), at: unixNano(at), Revision: revision}
}

// ID is the note's id.
func (n NoteView) ID() string { return n.id.String() }

// AuthorOrganisation is the organisation whose caseworker wrote the note.
func (n NoteView) AuthorOrganisation() string { return symbols.name(n.author) }

// At is when the note was written, in UTC.
func (n NoteView) At() time.Time { return fromUnixNano(n.at) }

// unixNano and fromUnixNano hold a time in an int64 (0 for the zero time), read back
// in UTC.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// next returns a copy of v to change for the next event, at the cost of one struct
// copy: views already handed out never see the change, without copying their
// histories at every event. The slices are shared and only appended to — an append
// writes past the end that every older view stops at (the read model has one writer,
// and a view is built on once: its successor replaces it) — and what an event
// changes in place is copied first: the sealed map on the event's first seal
// (sealedOwned), the reopenings on erasure.
func (v *CaseView) next() *CaseView {
	n := *v
	n.sealedOwned = false
	return &n
}

// Keys of CaseView.Sealed: the entry each sealed object belongs to.
func SealedDocument(id string) string             { return "document:" + id }           // its number
func SealedAuthority(id string) string            { return "document-authority:" + id } // an authority named in free text
func SealedRefusal(id string) string              { return "document-refusal:" + id }   // the refusal's text
func SealedPack(id string) string                 { return "pack:" + id }               // the staff member
func SealedPackRejection(id string) string        { return "pack-rejection:" + id }
func SealedApplicationDecline(bank string) string { return "application-decline:" + bank }
func SealedConcern(id string) string              { return "concern:" + id } // the details
func SealedResolution(id string) string           { return "concern-resolution:" + id }
func SealedDispute(id string) string              { return "dispute:" + id } // the items' creditors
func SealedDisputeReason(id string) string        { return "dispute-reason:" + id }
func SealedItemReason(dispute, item string) string {
	return "dispute-item-reason:" + dispute + "/" + item
}

// Keys of the sealed objects a case has at most one of.
const (
	SealedContact    = "contact"         // the safe-contact rules' notes
	SealedDeclineAll = "offers-declined" // why the survivor declined every offer
)
