package analyticsfeed

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/domain"
)

// ce decodes a message's CloudEvent.
func ce(t *testing.T, m msg) analytics.CloudEvent {
	t.Helper()
	var c analytics.CloudEvent
	if err := json.Unmarshal(m.data, &c); err != nil {
		t.Fatalf("%s: %v", m.subject, err)
	}
	return c
}

func types(t *testing.T, ms []msg) []string {
	t.Helper()
	var out []string
	for _, m := range ms {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(ce(t, m).Type, analytics.TypePrefix), "."+analytics.ContractVersion))
	}
	return out
}

func of(t *testing.T, ms []msg, pseudonym string) []msg {
	t.Helper()
	var out []msg
	for _, m := range ms {
		if ce(t, m).Subject == pseudonym {
			out = append(out, m)
		}
	}
	return out
}

// A grant after the referral publishes the case's history so far (the grant
// included), in revision order, as parts of the grant's position; later events follow
// as they happen. A case never granted publishes nothing, nor does a grant to another
// purpose or recipient.
func TestGrantedAfterReferralBackfills(t *testing.T) {
	e := newEnv(t)
	sub := e.subscribeLive()
	r := e.start(e.config(testKey))
	a, never := e.refer("ana"), e.refer("never")
	e.do(worker, a, domain.IdentifyBarrier{Barrier: domain.BarrierNoIncome})
	e.note(a, "ana's first note")
	e.note(never, "never's note")
	e.do(worker, never, domain.GrantConsent{Recipient: domain.OrgRef{ID: "bank"}, Categories: []domain.DataCategory{domain.DataBanking},
		Purposes: []domain.Purpose{domain.PurposeBanking}, ExpiresAt: t0.AddDate(0, 6, 0)})
	e.do(worker, never, domain.GrantConsent{Recipient: domain.OrgRef{ID: "bank"}, Categories: []domain.DataCategory{domain.DataBanking},
		Purposes: []domain.Purpose{domain.PurposeCoalitionAnalytics}, ExpiresAt: t0.AddDate(0, 6, 0)}) // not an analytics recipient
	e.caughtUp(r)
	if got := e.stored(); len(got) != 0 { // the stream: what was acknowledged is there
		t.Fatalf("published before any analytics grant: %v", types(t, got))
	}
	e.grant(a, t0.AddDate(0, 6, 0))
	later := e.note(a, "after the grant")
	e.note(never, "still never")
	e.caughtUp(r)
	got := sub.wait(t, 5)
	if want := []string{"survivor-referred", "barrier-identified", "note-added", "consent-granted", "note-added"}; !slices.Equal(types(t, got), want) {
		t.Fatalf("published %v, want %v", types(t, got), want)
	}
	grantPos := got[3].pos
	for i, m := range got[:4] {
		if m.pos != grantPos || m.part != []string{"0", "1", "2", "3"}[i] {
			t.Errorf("backfill message %d: position %s part %s, want %s part %d", i, m.pos, m.part, grantPos, i)
		}
	}
	if got[4].pos != later.Position.String() || got[4].part != "0" {
		t.Errorf("the later event: position %s part %s, want %s part 0", got[4].pos, got[4].part, later.Position)
	}
	for _, m := range got {
		if c := ce(t, m); c.Subject != e.pseudonym(a) || !strings.HasPrefix(m.subject, "waymark.analytics.mx."+e.pseudonym(a)+".") {
			t.Errorf("a message of another case or subject: %s %s", m.subject, c.Subject)
		}
	}
	if st := e.stored(); len(st) != 5 {
		t.Errorf("the stream holds %d messages, want 5", len(st))
	}
	// A document's number is personal data: the scan in checkAll looks for it.
	e.do(worker, a, domain.RequestIDDocument{Kind: domain.DocPassport, IssuingAuthority: "SEEDAUTHORITY"})
	c, err := e.n.Service.LoadCase(context.Background(), worker, a)
	if err != nil {
		t.Fatal(err)
	}
	for id := range c.Documents {
		e.do(worker, a, domain.RecordIDDocumentObtained{DocumentID: id, DocumentNumber: "SEEDDOC-G1234567"})
	}
	e.caughtUp(r)
	if want := []string{"id-document-requested", "id-document-obtained"}; !slices.Equal(types(t, sub.wait(t, 7)[5:]), want) {
		t.Errorf("the document's messages: %v", types(t, sub.all()[5:]))
	}
	checkAll(t, e, sub.all())
}

// Withdrawing the only analytics grant purges the journey and publishes its tombstone
// (the withdrawal itself is not published); another case is untouched. A new grant
// brings the case back with its whole history, under new message ids.
func TestWithdrawnThenGrantedAgain(t *testing.T) {
	e := newEnv(t)
	sub := e.subscribeLive()
	r := e.start(e.config(testKey))
	a, b := e.refer("ana"), e.refer("bea")
	ga := e.grant(a, t0.AddDate(0, 6, 0))
	e.grant(b, t0.AddDate(0, 6, 0))
	e.note(a, "ana")
	e.note(b, "bea")
	e.do(worker, a, domain.WithdrawConsent{GrantID: ga})
	e.caughtUp(r)
	got := sub.wait(t, 7)
	pa, pb := e.pseudonym(a), e.pseudonym(b)
	if want := []string{"survivor-referred", "consent-granted", "note-added", "tombstone"}; !slices.Equal(types(t, of(t, got, pa)), want) {
		t.Fatalf("ana: published %v, want %v", types(t, of(t, got, pa)), want)
	}
	last := got[len(got)-1]
	if last.subject != "waymark.analytics.mx.tombstones" || ce(t, last).Subject != pa {
		t.Errorf("the tombstone: %s %s", last.subject, ce(t, last).Subject)
	}
	st := e.stored()
	if n := len(of(t, st, pa)); n != 1 {
		t.Errorf("the stream holds %d messages of ana's, want only her tombstone", n)
	}
	if want := []string{"survivor-referred", "consent-granted", "note-added"}; !slices.Equal(types(t, of(t, st, pb)), want) {
		t.Errorf("bea in the stream: %v, want %v", types(t, of(t, st, pb)), want)
	}

	e.appClock.Advance(time.Hour)
	e.grant(a, t0.AddDate(0, 6, 0))
	e.caughtUp(r)
	again := of(t, sub.wait(t, 7+5), pa)[4:]
	if want := []string{"survivor-referred", "consent-granted", "note-added", "consent-withdrawn", "consent-granted"}; !slices.Equal(types(t, again), want) {
		t.Fatalf("ana again: %v, want %v", types(t, again), want)
	}
	first := of(t, got, pa)
	for i := range 3 {
		if again[i].id == first[i].id || ce(t, again[i]).ID != ce(t, first[i]).ID {
			t.Errorf("message %d: Nats-Msg-Id %s then %s; CloudEvent id %s then %s (want a new publication of the same event)",
				i, first[i].id, again[i].id, ce(t, first[i]).ID, ce(t, again[i]).ID)
		}
	}
	checkAll(t, e, sub.all())
}

// A grant expires with no event arriving: once the clock passes it, the journey is
// purged and its tombstone published.
func TestExpiredLeavesWithoutAnEvent(t *testing.T) {
	e := newEnv(t)
	sub := e.subscribeLive()
	r := e.start(e.config(testKey))
	a, b := e.refer("ana"), e.refer("bea")
	e.grant(a, t0.Add(48*time.Hour))
	e.grant(b, t0.AddDate(0, 6, 0))
	e.caughtUp(r)
	sub.wait(t, 4)
	e.clock.Set(t0.Add(47 * time.Hour))
	e.clock.Set(t0.Add(48 * time.Hour)) // a grant expires at ExpiresAt itself
	got := sub.wait(t, 5)
	last := got[4]
	if c := ce(t, last); c.Type != analytics.TombstoneType || c.Subject != e.pseudonym(a) || c.Time != "2026-03-06T00:00:00Z" {
		t.Fatalf("after the expiry: %s %+v", last.subject, c)
	}
	// Events of the expired case are no longer published; bea's are. (The purge, after
	// the tombstone, is done before the next event is read.)
	e.note(a, "after the expiry")
	e.note(b, "bea goes on")
	e.caughtUp(r)
	if got := sub.wait(t, 6); len(got) != 6 || ce(t, got[5]).Subject != e.pseudonym(b) {
		t.Errorf("after the expiry: %v", types(t, got))
	}
	if n := len(of(t, e.stored(), e.pseudonym(a))); n != 1 {
		t.Errorf("ana's journey not purged: %d messages", n)
	}
	if n := len(of(t, e.stored(), e.pseudonym(b))); n != 3 {
		t.Errorf("bea: %d messages, want 3", n)
	}
	checkAll(t, e, sub.all())
}

// An erasure purges the journey and publishes its tombstone; the erasure itself is
// not published.
func TestErasedLeaves(t *testing.T) {
	e := newEnv(t)
	sub := e.subscribeLive()
	r := e.start(e.config(testKey))
	a := e.refer("ana")
	e.grant(a, t0.AddDate(0, 6, 0))
	e.do(worker, a, domain.EraseSurvivorData{ReasonCode: domain.ErasureSurvivorRequest})
	e.caughtUp(r)
	if want := []string{"survivor-referred", "consent-granted", "tombstone"}; !slices.Equal(types(t, sub.wait(t, 3)), want) {
		t.Fatalf("published %v, want %v", types(t, sub.all()), want)
	}
	if n := len(of(t, e.stored(), e.pseudonym(a))); n != 1 {
		t.Errorf("the erased journey: %d messages in the stream, want its tombstone", n)
	}
	checkAll(t, e, sub.all())
}

// A transferred case keeps its pseudonym under its new jurisdiction, and when it leaves
// it gets a tombstone in each jurisdiction it was published under.
func TestTransferredCaseTombstonedInBothJurisdictions(t *testing.T) {
	e := newEnv(t)
	sub := e.subscribeLive()
	r := e.start(e.config(testKey))
	a := e.refer("ana")
	ga := e.grant(a, t0.AddDate(0, 6, 0))
	e.transferToUS(a)
	e.do(usWorker, a, domain.AddCaseNote{Text: "SEEDNOTE in the US"})
	e.do(usWorker, a, domain.WithdrawConsent{GrantID: ga})
	e.caughtUp(r)
	got := sub.wait(t, 8)
	pa := e.pseudonym(a)
	var subjects []string
	for _, m := range got {
		if ce(t, m).Subject != pa {
			t.Errorf("another pseudonym: %s", m.subject)
		}
		subjects = append(subjects, strings.Replace(m.subject, pa, "P", 1))
	}
	want := []string{"waymark.analytics.mx.P.survivor-referred", "waymark.analytics.mx.P.consent-granted",
		"waymark.analytics.mx.P.consent-granted", "waymark.analytics.mx.P.transfer-requested",
		"waymark.analytics.us.P.transfer-accepted", "waymark.analytics.us.P.note-added",
		"waymark.analytics.mx.tombstones", "waymark.analytics.us.tombstones"}
	if !slices.Equal(subjects, want) {
		t.Fatalf("subjects:\n%s\nwant\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
	}
	if n := len(of(t, e.stored(), pa)); n != 2 {
		t.Errorf("%d messages left, want the two tombstones", n)
	}
	checkAll(t, e, got)
}
