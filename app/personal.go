package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/projections"
)

// CanReadPersonal reports whether actor may see the personal data of a case.
func (s *Service) CanReadPersonal(actor Actor, v *projections.CaseView) bool {
	return authorize(actor, ActionReadPersonal, v.OwningOrganisation) == nil
}

// OpenPersonal decodes an event's personal sub-object of case v into dst, for a caller
// allowed to see it. Step 1 stores it in plaintext; Step 2 decrypts it here with the
// case's key, and records the access first.
func (s *Service) OpenPersonal(ctx context.Context, actor Actor, v *projections.CaseView, p codec.Personal, dst any) error {
	if !s.CanReadPersonal(actor, v) {
		return ErrForbidden
	}
	if len(p) == 0 {
		return nil
	}
	if err := json.Unmarshal(p, dst); err != nil {
		return fmt.Errorf("open personal data of case %s: %w", v.ID, err)
	}
	return nil
}
