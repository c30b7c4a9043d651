package api

import "time"

// Between Go's zero values and GraphQL's null: app's views use "" for no text, no
// code or no organisation, and the zero time; GraphQL answers null, and an empty list
// as [] (never null).

// optional returns a pointer to v, or nil for "" (no text, no code).
func optional[T ~string](v T) *T {
	if v == "" {
		return nil
	}
	return &v
}

// optionalTime returns a pointer to t, or nil for the zero time.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// deref returns *p, or the zero value for nil (an argument or input field left out).
func deref[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}

// nonNil returns s, or an empty list for nil: a list field answers [], never null,
// and a command's list is stored as [] when the caller gave none.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
