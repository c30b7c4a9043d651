package app

import (
	"context"
	"fmt"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// RevokeToken revokes one access token by its id (the token's "jti" claim) before it
// expires (admins only). Every request with it is refused from then on.
func (s *Service) RevokeToken(ctx context.Context, actor Actor, commandID, tokenID string) (Result, error) {
	return s.revoke(ctx, actor, commandID, "token_"+tokenID, domain.RevokeToken{TokenID: tokenID})
}

// RevokeSubject revokes every token of one user issued up to now (admins only): "log
// out everywhere". Tokens issued to the user afterwards work.
func (s *Service) RevokeSubject(ctx context.Context, actor Actor, commandID, subject string) (Result, error) {
	return s.revoke(ctx, actor, commandID, "subject_"+subject, domain.RevokeSubject{Subject: subject})
}

func (s *Service) revoke(ctx context.Context, actor Actor, commandID, id string, cmd domain.Command) (_ Result, err error) {
	defer s.counted(cmd.CommandType(), &err)
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionRevokeTokens, Now: s.Now()}).Err(); err != nil {
		return Result{}, err
	}
	if err := validateCommandID(commandID); err != nil {
		return Result{}, err
	}
	// The domain checks the id's form; an id that cannot even name a stream is the
	// same mistake.
	if _, err := domain.DecideRevocation(domain.Revocation{}, cmd, s.Now()); err != nil {
		return Result{}, appError(err)
	}
	input, err := commandInput(cmd.CommandType(), id, nil, actor, cmd)
	if err != nil {
		return Result{}, err
	}
	return s.execute(ctx, request{
		actor: actor, commandID: commandID, cmdType: cmd.CommandType(), fingerprint: s.plainFingerprint(input),
		stream: eventstore.StreamName(eventstore.KindRevocation, id), fold: foldRevocationEvent,
		authorize: func(aggregate) error { return nil },
		decide: func(_ context.Context, a aggregate, now time.Time) ([]domain.Event, error) {
			r, _ := a.state.(domain.Revocation)
			return domain.DecideRevocation(r, cmd, now)
		},
	})
}

func foldRevocationEvent(state any, e domain.Event) any {
	r, _ := state.(domain.Revocation)
	return domain.EvolveRevocation(r, e)
}

// formatDuration writes a duration the way people say it: "2 years", "90 days", "12h".
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d%(365*day) == 0:
		if n := d / (365 * day); n != 1 {
			return fmt.Sprintf("%d years", n)
		}
		return "1 year"
	case d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	}
	return d.String()
}
