package api

import (
	"fmt"
	"strings"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/projections"
)

// GraphQL enums are the domain's values in upper case (BANK_ACCOUNT ⇄ bank_account).

func toDomain[D ~string, G ~string](g G) D { return D(strings.ToLower(string(g))) }

func toAPI[G ~string, D ~string](d D) G { return G(strings.ToUpper(string(d))) }

func toDomainAll[D ~string, G ~string](gs []G) []D {
	out := make([]D, len(gs))
	for i, g := range gs {
		out[i] = toDomain[D](g)
	}
	return out
}

func toAPIAll[G ~string, D ~string](ds []D) []G {
	out := make([]G, len(ds))
	for i, d := range ds {
		out[i] = toAPI[G](d)
	}
	return out
}

// optionalCode maps an optional GraphQL enum to its domain code ("" for none).
func optionalCode[D ~string, G ~string](g *G) D {
	if g == nil {
		return ""
	}
	return toDomain[D](*g)
}

// optionalEnum maps a domain code to its GraphQL enum, or nil for "".
func optionalEnum[G ~string, D ~string](d D) *G {
	if d == "" {
		return nil
	}
	g := toAPI[G](d)
	return &g
}

// optional returns a pointer to s, or nil for "".
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func optionalTime(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	return t
}

// expectedVersion checks an optional expectedVersion.
func expectedVersion(v *int) (*uint64, error) {
	if v == nil {
		return nil, nil
	}
	if *v < 0 {
		return nil, fmt.Errorf("expectedVersion must not be negative: %w", app.ErrBadInput)
	}
	u := uint64(*v)
	return &u, nil
}

func pageSize(first *int) int {
	if first == nil {
		return 20
	}
	return *first
}

func derefOrgs(views []*projections.OrganisationView) []projections.OrganisationView {
	out := make([]projections.OrganisationView, len(views))
	for i, v := range views {
		out[i] = *v
	}
	return out
}
