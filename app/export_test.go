package app

// CommandStream exposes the name of a command id's record, for tests that plant or
// inspect claims.
func (s *Service) CommandStream(org, commandID string) string { return s.commandStream(org, commandID) }
