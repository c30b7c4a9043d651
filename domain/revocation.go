package domain

import (
	"fmt"
	"time"
)

// Revocation takes access tokens out of service before they expire: one token (by
// its id, the JWT "jti"), or every token of one user (by subject) issued up to the
// moment of the revocation. It is its own aggregate, one stream per token or subject,
// because the API checks it on every request and nothing else needs it.
type Revocation struct {
	Revoked   bool
	RevokedAt time.Time // the latest revocation: tokens issued up to then are refused
	Version   uint64
}

// RevokeToken revokes one token by its id.
type RevokeToken struct{ TokenID string }

// RevokeSubject revokes every token of a user issued up to now; tokens issued later
// work again (a new token after "log out everywhere").
type RevokeSubject struct{ Subject string }

// TokenRevoked: a token was revoked.
type TokenRevoked struct {
	TokenID string    `json:"tokenId" waymark:"id"`
	At      time.Time `json:"at"`
}

// SubjectRevoked: every token of a user issued up to At was revoked.
type SubjectRevoked struct {
	Subject string    `json:"subject" waymark:"id"`
	At      time.Time `json:"at"`
}

func (RevokeToken) CommandType() string   { return "RevokeToken" }
func (RevokeSubject) CommandType() string { return "RevokeSubject" }
func (TokenRevoked) EventType() string    { return "TokenRevoked" }
func (SubjectRevoked) EventType() string  { return "SubjectRevoked" }

// revocationConcern: the revocation events. Its commands are decided by
// DecideRevocation, not on cases.
func revocationConcern() concern {
	return concern{
		events: []EventSpec{
			DescribeEvent[TokenRevoked](AggregateRevocation),
			DescribeEvent[SubjectRevoked](AggregateRevocation),
		},
	}
}

// DecideRevocation decides a revocation command; like Decide it is pure.
func DecideRevocation(r Revocation, cmd Command, now time.Time) ([]Event, error) {
	now = now.UTC()
	switch cmd := cmd.(type) {
	case RevokeToken:
		if err := CheckID("tokenId", cmd.TokenID); err != nil {
			return nil, err
		}
		if r.Revoked {
			return nil, inCommand(cmd, transition(fmt.Sprintf("token %s was already revoked on %s", cmd.TokenID, r.RevokedAt.Format(time.RFC3339))))
		}
		return one(TokenRevoked{TokenID: cmd.TokenID, At: now})
	case RevokeSubject:
		if err := CheckID("subject", cmd.Subject); err != nil {
			return nil, err
		}
		return one(SubjectRevoked{Subject: cmd.Subject, At: now})
	case nil:
		return nil, invalid("command", "no command given")
	}
	return nil, invalid("command", fmt.Sprintf("%s is not a revocation command", cmd.CommandType()))
}

// EvolveRevocation applies one event.
func EvolveRevocation(r Revocation, e Event) Revocation {
	r.Version++
	switch e := e.(type) {
	case TokenRevoked:
		r.Revoked, r.RevokedAt = true, e.At
	case SubjectRevoked:
		r.Revoked, r.RevokedAt = true, e.At
	}
	return r
}
