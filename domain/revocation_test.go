package domain

import (
	"errors"
	"reflect"
	"testing"
)

func TestRevocations(t *testing.T) {
	got, err := DecideRevocation(Revocation{}, RevokeToken{TokenID: "JTI123"}, at(1))
	if err != nil || !reflect.DeepEqual(got, []Event{TokenRevoked{TokenID: "JTI123", At: at(1)}}) {
		t.Fatalf("revoke a token: %v %v", got, err)
	}
	r := EvolveRevocation(Revocation{}, got[0])
	if !r.Revoked || r.RevokedAt != at(1) || r.Version != 1 {
		t.Errorf("revoked token state %+v", r)
	}
	if _, err := DecideRevocation(r, RevokeToken{TokenID: "JTI123"}, at(2)); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("revoked twice: %v", err)
	}
	// A subject is revoked again later: tokens issued up to the later time go too.
	s := EvolveRevocation(Revocation{}, SubjectRevoked{Subject: "u-1", At: at(1)})
	got, err = DecideRevocation(s, RevokeSubject{Subject: "u-1"}, at(5))
	if err != nil || !reflect.DeepEqual(got, []Event{SubjectRevoked{Subject: "u-1", At: at(5)}}) {
		t.Fatalf("revoke a subject again: %v %v", got, err)
	}
	if s = EvolveRevocation(s, got[0]); s.RevokedAt != at(5) {
		t.Errorf("subject state %+v", s)
	}
	for _, bad := range []Command{RevokeToken{}, RevokeToken{TokenID: "a.b"}, RevokeSubject{Subject: " "}, RegisterOrganisation{}} {
		if _, err := DecideRevocation(Revocation{}, bad, at(1)); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%#v: %v", bad, err)
		}
	}
}
