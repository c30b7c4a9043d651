package domain

import "errors"

// Sentinel errors. Callers branch on these with errors.Is and map them to API codes
// in exactly one place (the edge), so the domain never knows about GraphQL.
var (
	// ErrInvalidInput: a value is malformed, missing or refers to something the case
	// does not have (an unknown grant, document or dispute). API: BAD_USER_INPUT.
	ErrInvalidInput = errors.New("invalid input")

	// ErrInvalidTransition: the input is fine but the journey does not allow it now
	// (the case is closed, the document was already obtained, ...). API: INVALID_TRANSITION.
	ErrInvalidTransition = errors.New("invalid transition")

	// ErrConsentRequired: no consent grant in force lets the recipient receive the
	// survivor's data for that purpose. It is deliberately NOT an ErrInvalidTransition
	// so callers (and audit views) can tell "the survivor has not agreed" apart from
	// "the journey is not there yet"; the API still maps it to INVALID_TRANSITION.
	ErrConsentRequired = errors.New("consent required")

	// ErrCaseNotFound: a command other than ReferSurvivor on a case that was never
	// referred. API: NOT_FOUND.
	ErrCaseNotFound = errors.New("case not found")

	// ErrUnknownOrganisation: the organisation is not in the directory. The application
	// layer returns it when a lookup fails; the domain returns it when an OrgRef
	// arrives unresolved (an id but no valid kind). API: BAD_USER_INPUT.
	ErrUnknownOrganisation = errors.New("unknown organisation")

	// ErrWrongOrganisationKind: the organisation exists but cannot play that role
	// (referToBank with a shelter). API: BAD_USER_INPUT.
	ErrWrongOrganisationKind = errors.New("wrong organisation kind")

	// ErrAlreadyExists: referring an already-referred case, registering an
	// organisation twice.
	ErrAlreadyExists = errors.New("already exists")
)

// RuleError carries the detail a case worker needs next to the sentinel a caller
// branches on. Field is the input field at fault (GraphQL input names, e.g.
// "survivor.fullName") or, for journey rules that concern the whole command, the
// mutation name (e.g. "referToBank"), which Decide fills in.
type RuleError struct {
	Err    error
	Field  string
	Reason string
}

func (e *RuleError) Error() string {
	switch {
	case e.Reason == "" && e.Err != nil:
		if e.Field == "" {
			return e.Err.Error()
		}
		return e.Field + ": " + e.Err.Error()
	case e.Field == "":
		return e.Reason
	default:
		return e.Field + ": " + e.Reason
	}
}

func (e *RuleError) Unwrap() error { return e.Err }

func invalid(field, reason string) error {
	return &RuleError{Err: ErrInvalidInput, Field: field, Reason: reason}
}

func transition(reason string) error {
	return &RuleError{Err: ErrInvalidTransition, Reason: reason}
}

func consentRequired(reason string) error {
	return &RuleError{Err: ErrConsentRequired, Reason: reason}
}

func wrongKind(field, reason string) error {
	return &RuleError{Err: ErrWrongOrganisationKind, Field: field, Reason: reason}
}

func unknownOrganisation(field, reason string) error {
	return &RuleError{Err: ErrUnknownOrganisation, Field: field, Reason: reason}
}

func caseNotFound() error {
	return &RuleError{Err: ErrCaseNotFound, Reason: "no survivor has been referred on this case"}
}

func alreadyExists(reason string) error {
	return &RuleError{Err: ErrAlreadyExists, Reason: reason}
}

// inCommand names the command in a rule error that has no field of its own, so the
// message reads "referToBank: no consent grant ..." rather than a bare sentence.
func inCommand(cmd Command, err error) error {
	var re *RuleError
	if cmd == nil || !errors.As(err, &re) || re.Field != "" {
		return err
	}
	out := *re
	out.Field = mutationName(cmd.CommandType())
	return &out
}

// mutationName turns "ReferToBank" into "referToBank" and "RequestIDDocument" into
// "requestIDDocument", matching the GraphQL mutation a case worker called.
func mutationName(commandType string) string {
	if commandType == "" {
		return ""
	}
	b := []byte(commandType)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}
