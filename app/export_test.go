package app

import "github.com/waymark-org/waymark/projections"

// CommandKey exposes the key under which a command id of an organisation is recorded,
// for tests that inspect the read model of command ids.
func (s *Service) CommandKey(org, commandID string) projections.CommandKey {
	return s.commands.Key(org, commandID)
}

// DerivedCaseID exposes the id a referral with commandID by organisation org gets.
func (s *Service) DerivedCaseID(org, commandID string) string {
	return s.derivedID("case", org, commandID)
}
