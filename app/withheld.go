package app

import (
	"errors"
	"slices"
)

// Withheld names the personal fields of a result that are empty because reading them
// needs a stated reason (ErrReasonRequired: an auditor without X-Access-Reason), by
// their Go field names ("Reason", "Creditor"). The API answers each with an error on
// its path rather than a silent null. A field whose sealed value does not exist is
// never withheld: there was nothing to read.
type Withheld []string

// Has reports whether field was withheld.
func (w Withheld) Has(field string) bool { return slices.Contains(w, field) }

// withhold takes the error of reading one sealed field: ErrReasonRequired adds field
// to w and is handled (nil); any other error is returned.
func withhold(w *Withheld, field string, err error) error {
	if errors.Is(err, ErrReasonRequired) {
		if !w.Has(field) {
			*w = append(*w, field)
		}
		return nil
	}
	return err
}
