package domain

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// fakeDirectory resolves the organisations of the tests' directory, and counts the ids
// it hands out.
type fakeDirectory struct {
	ids    int
	looked []string
}

func (d *fakeDirectory) completion(actorOrg string) Completion {
	known := map[string]OrgRef{}
	for _, o := range []OrgRef{shelter, ngo, bank, bank2, bureau, idOffice} {
		known[o.ID] = o
	}
	return Completion{
		NewID: func() string { d.ids++; return fmt.Sprintf("new-%d", d.ids) },
		Organisation: func(id string) (OrgRef, error) {
			d.looked = append(d.looked, id)
			if o, ok := known[id]; ok {
				return o, nil
			}
			return OrgRef{}, ErrUnknownOrganisation
		},
		ActorOrganisation: actorOrg,
	}
}

func TestCompleteFillsWhatTheTagsDeclare(t *testing.T) {
	tests := []struct {
		name   string
		cmd    Command
		actor  string
		want   Command
		looked []string
	}{
		{name: "a new id replaces the caller's and the bank is resolved",
			cmd:  MakeBankOffer{OfferID: "mine", Bank: OrgRef{ID: "org-bank"}, Product: ProductLoan},
			want: MakeBankOffer{OfferID: "new-1", Bank: bank, Product: ProductLoan}, looked: []string{"org-bank"}},
		{name: "the caller's own organisation, then the bank, in field order",
			cmd: RaiseSafeguardingConcern{By: OrgRef{ID: "org-shelter"}, Bank: OrgRef{ID: "org-bank"}}, actor: "org-ngo",
			want:   RaiseSafeguardingConcern{ConcernID: "new-1", By: ngo, Bank: bank},
			looked: []string{"org-ngo", "org-bank"}},
		{name: "an optional organisation not given is not looked up",
			cmd:  RequestIDDocument{Kind: DocCURP, IssuingAuthority: "Registro Civil"},
			want: RequestIDDocument{DocumentID: "new-1", Kind: DocCURP, IssuingAuthority: "Registro Civil"}},
		{name: "an optional organisation given is resolved",
			cmd:  RequestIDDocument{Kind: DocCURP, IssuingOrganisation: OrgRef{ID: "org-renapo"}},
			want: RequestIDDocument{DocumentID: "new-1", Kind: DocCURP, IssuingOrganisation: idOffice}, looked: []string{"org-renapo"}},
		{name: "a command without tags or organisations is as it was",
			cmd: WithdrawConsent{GrantID: "g-1"}, want: WithdrawConsent{GrantID: "g-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := &fakeDirectory{}
			got, err := Complete(tt.cmd, dir.completion(tt.actor))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(dir.looked, tt.looked) {
				t.Errorf("got %+v after looking up %v\nwant %+v after %v", got, dir.looked, tt.want, tt.looked)
			}
		})
	}
}

// The first organisation that cannot be resolved stops the completion, with its error
// as it is; the command given is never changed.
func TestCompleteStopsAtAnUnknownOrganisation(t *testing.T) {
	dir := &fakeDirectory{}
	cmd := RaiseSafeguardingConcern{Bank: OrgRef{ID: "org-bank"}}
	_, err := Complete(cmd, dir.completion("org-gone"))
	if !errors.Is(err, ErrUnknownOrganisation) || !reflect.DeepEqual(dir.looked, []string{"org-gone"}) || dir.ids != 1 {
		t.Errorf("err %v after looking up %v and %d ids", err, dir.looked, dir.ids)
	}
	if cmd.ConcernID != "" || cmd.By.ID != "" {
		t.Errorf("the command given changed: %+v", cmd)
	}
	if got, err := Complete(&cmd, dir.completion("org-ngo")); err != nil || got != Command(&cmd) {
		t.Errorf("a pointer is returned as it is: %v %v", got, err)
	}
}
