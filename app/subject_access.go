package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// A survivor's subject-access export: what she may receive about herself. Traffickers
// coerce survivors into such requests, so it is made only on a request the owning
// caseworker recorded (SubjectAccessRequested, after checking her identity and her
// free will in person), decided for that caseworker (access.ActionSubjectAccess), and
// handed over by her: Waymark never sends it anywhere. Its decryption is recorded in
// the access log, under that caseworker, before anything is decrypted.
//
// What it leaves out, and why:
//   - safeguarding concerns, whoever raised them (and the mention of safeguarding in
//     the reads of her record): they are the organisations' internal record of risks
//     around her, often about the people who control her; even saying that one exists
//     could warn a trafficker reading over her shoulder, so the export says the same
//     sentence whether or not there are any;
//   - notes written by organisations other than the owning one (their internal
//     entries);
//   - staff: the journey and the reads name the organisation and the role, never the
//     member of staff. The organisation is the one accountable for the read (what
//     a subject-access request is owed), and naming individual caseworkers to a
//     record that may end up in a trafficker's hands would put them at risk.

// ErrNoSubjectAccessRequest: the case has no recorded subject-access request (or not
// the one named).
var ErrNoSubjectAccessRequest = errors.New("no subject-access request recorded for this case")

// SubjectAccessFormat names the export's JSON document.
const SubjectAccessFormat = "waymark-subject-access"

// SubjectAccess is the export: one JSON document.
type SubjectAccess struct {
	Format     string                `json:"format"`
	Version    int                   `json:"version"`
	CaseID     string                `json:"caseId"`
	ProducedAt time.Time             `json:"producedAt"`
	Request    SubjectAccessRequest  `json:"request"`
	Notice     []string              `json:"notice"`
	Erased     bool                  `json:"erased"`
	Personal   []SubjectPersonalData `json:"personalData"`
	Journey    []SubjectJourneyStep  `json:"journey"`
	Reads      []SubjectRead         `json:"readsOfYourRecord"`
}

// SubjectAccessRequest is the request the export answers.
type SubjectAccessRequest struct {
	ID           string    `json:"id"`
	RecordedAt   time.Time `json:"recordedAt"`
	Organisation string    `json:"organisation"`
}

// SubjectPersonalData is the personal data one event recorded, decrypted.
type SubjectPersonalData struct {
	RecordedAt   time.Time       `json:"recordedAt"`
	Event        string          `json:"event"`
	Organisation string          `json:"organisation"`
	Data         json.RawMessage `json:"data"`
}

// SubjectJourneyStep is one step of her journey: what happened, when, by which
// organisation, and the step's own (not personal) fields.
type SubjectJourneyStep struct {
	At           time.Time       `json:"at"`
	Event        string          `json:"event"`
	Stage        string          `json:"stage,omitempty"`
	Organisation string          `json:"organisation"`
	Details      json.RawMessage `json:"details"`
}

// SubjectRead is one read of her personal data: by which organisation, in what role,
// what was read, for what stated purpose, and when.
type SubjectRead struct {
	At           time.Time `json:"at"`
	Organisation string    `json:"organisation"`
	Role         string    `json:"role"`
	Read         []string  `json:"read"`
	Purpose      string    `json:"purpose,omitempty"`
	BreakGlass   bool      `json:"breakGlass,omitempty"`
}

// The notices every export carries, so that what is left out never depends on what
// there is.
const (
	noticeLeftOut = "Left out: the organisations' internal safeguarding records and the notes of organisations other than the one that holds your case; staff are named by organisation and role only."
	noticeErased  = "Your personal data was erased: it can no longer be read by anyone, Waymark included. What remains is the journey and who read your record."
	noticeHanded  = "This record was produced for your request and handed to you by the caseworker who recorded it; Waymark sends it nowhere."
)

// SubjectAccessExport builds case caseID's export for the survivor on her recorded
// request requestID ("": the latest). Without such a request it is
// ErrNoSubjectAccessRequest; an unknown case, ErrNotFound; a request whose caseworker
// no longer acts for the owning organisation is refused by the one authorisation
// decision.
func (s *Service) SubjectAccessExport(ctx context.Context, caseID, requestID string) (*SubjectAccess, error) {
	records, err := s.readCase(ctx, caseID)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, fmt.Errorf("case %q: %w: %w", caseID, ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	type step struct {
		rec      eventstore.RecordedEvent
		sealed   codec.Personal
		personal access.Group
	}
	var (
		folded  domain.Case
		steps   []step
		request *eventstore.RecordedEvent
		reqID   string
	)
	for i, rec := range records {
		event, extras, err := codec.Decode(rec)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", caseID, err)
		}
		folded = domain.Evolve(folded, event)
		if r, ok := event.(domain.SubjectAccessRequested); ok && (requestID == "" || r.RequestID == requestID) {
			request, reqID = &records[i], r.RequestID
		}
		_, personal := groupsOf(rec.Type)
		steps = append(steps, step{rec: rec, sealed: extras.Personal, personal: personal})
	}
	if request == nil {
		if requestID != "" {
			return nil, fmt.Errorf("case %s: %w under the id %q (leave the id out for her latest)", caseID, ErrNoSubjectAccessRequest, requestID)
		}
		return nil, fmt.Errorf("case %s: %w: the owning caseworker records it first (recordSubjectAccessRequest, once the survivor's identity and free will were checked in person)",
			caseID, ErrNoSubjectAccessRequest)
	}
	md := request.Metadata
	actor := Actor{ID: md.Actor, Role: Role(md.Role), Organisation: md.Organisation}
	now := s.Now()
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionSubjectAccess, Case: &folded, Now: now}).Err(); err != nil {
		return nil, fmt.Errorf("subject-access request %s of case %s, recorded by %s of %s: %w", reqID, caseID, md.Role, md.Organisation, err)
	}
	out := &SubjectAccess{
		Format: SubjectAccessFormat, Version: 1, CaseID: caseID, ProducedAt: now,
		Request: SubjectAccessRequest{ID: reqID, RecordedAt: md.RecordedAt, Organisation: md.Organisation},
		Notice:  []string{noticeHanded, noticeLeftOut}, Erased: folded.Erased,
		Personal: []SubjectPersonalData{}, Journey: []SubjectJourneyStep{}, Reads: []SubjectRead{},
	}
	var toOpen []step
	var groups []access.Group
	for _, st := range steps {
		rec := st.rec
		data, _ := groupsOf(rec.Type)
		if data == access.GroupSafeguarding || st.personal == access.GroupSafeguarding ||
			data == access.GroupNotes && rec.Metadata.Organisation != folded.OwnerOrganisation {
			continue // internal entries (see above)
		}
		spec, _ := domain.EventSpecFor(rec.Type)
		details, err := withoutSealed(rec.Data)
		if err != nil {
			return nil, fmt.Errorf("case %s revision %d: %w", caseID, rec.Revision, err)
		}
		out.Journey = append(out.Journey, SubjectJourneyStep{At: rec.Metadata.RecordedAt, Event: rec.Type, Stage: string(spec.Stage),
			Organisation: rec.Metadata.Organisation, Details: details})
		if !st.sealed.IsZero() {
			toOpen = append(toOpen, st)
			if !slices.Contains(groups, st.personal) {
				groups = append(groups, st.personal)
			}
		}
	}
	if folded.Erased {
		out.Notice = append(out.Notice, noticeErased)
		toOpen = nil
	}
	if len(toOpen) > 0 {
		if err := s.recordSubjectAccess(ctx, actor, caseID, reqID, groups); err != nil {
			return nil, err
		}
	}
	for _, st := range toOpen {
		plain, err := s.vault.Open(ctx, caseID, st.sealed.EventID, st.sealed.SchemaVersion, st.sealed.Data)
		if errors.Is(err, sealing.ErrKeyDestroyed) {
			out.Erased, out.Personal = true, []SubjectPersonalData{}
			out.Notice = append(out.Notice, noticeErased)
			break
		}
		if err != nil {
			return nil, appError(fmt.Errorf("open personal data of case %s: %w", caseID, err))
		}
		out.Personal = append(out.Personal, SubjectPersonalData{RecordedAt: st.rec.Metadata.RecordedAt, Event: st.rec.Type,
			Organisation: st.rec.Metadata.Organisation, Data: plain})
	}
	if s.accessLog == nil {
		return nil, errors.New("no access log configured")
	}
	entries, err := s.accessLog.ForCase(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("access log of case %s: %w", caseID, err)
	}
	for _, e := range entries {
		read := slices.DeleteFunc(slices.Clone(e.Groups), func(g string) bool { return g == string(access.GroupSafeguarding) })
		if len(read) == 0 {
			continue
		}
		out.Reads = append(out.Reads, SubjectRead{At: e.At, Organisation: e.Organisation, Role: e.Role, Read: read, Purpose: e.Reason, BreakGlass: e.BreakGlass})
	}
	return out, nil
}

// recordSubjectAccess records the export's read of her personal data, under the
// caseworker who recorded the request, before anything is decrypted.
func (s *Service) recordSubjectAccess(ctx context.Context, actor Actor, caseID, requestID string, groups []access.Group) error {
	if s.accessLog == nil {
		return errors.New("no access log: personal data cannot be read")
	}
	names := make([]string, 0, len(groups))
	for _, g := range access.Groups() { // in the schema's order
		if slices.Contains(groups, g) {
			names = append(names, string(g))
		}
	}
	e := accesslog.Entry{At: s.Now(), Actor: actor.ID, Role: string(actor.Role), Organisation: actor.Organisation, CaseID: caseID,
		Groups: names, Reason: "subject-access request " + requestID, RequestID: requestID}
	if err := s.accessLog.Record(ctx, e); err != nil {
		return fmt.Errorf("record the subject-access export of case %s: %w", caseID, err)
	}
	return nil
}
