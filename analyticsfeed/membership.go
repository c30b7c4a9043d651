package analyticsfeed

import (
	"slices"
	"time"

	"github.com/waymark-org/waymark/domain"
)

// consent judges membership of the feed; isRecipient is Config.IsAnalyticsRecipient.
type consent struct {
	isRecipient func(orgID string) bool
}

// analyticsGrant reports whether g, if in force, would put its case in the feed.
func (c consent) analyticsGrant(g domain.ConsentGrant) bool {
	return !g.Withdrawn && slices.Contains(g.Purposes, domain.PurposeCoalitionAnalytics) && c.isRecipient(g.Recipient)
}

// inFeed reports whether the case belongs in the feed at now.
func (c consent) inFeed(cs domain.Case, now time.Time) bool {
	if cs.Erased {
		return false
	}
	for _, g := range cs.Grants {
		if c.analyticsGrant(g) && g.InForce(now) {
			return true
		}
	}
	return false
}

// leaves is when the case leaves the feed if nothing else happens: the latest expiry
// of its covering grants.
func (c consent) leaves(cs domain.Case) time.Time {
	var last time.Time
	for _, g := range cs.Grants {
		if c.analyticsGrant(g) && g.ExpiresAt.After(last) {
			last = g.ExpiresAt
		}
	}
	return last
}

// grantEnters reports whether a grant event could bring a case into the feed at now
// (a cheap look at the event before its case is read).
func (c consent) grantEnters(e domain.ConsentGranted, now time.Time) bool {
	return slices.Contains(e.Purposes, domain.PurposeCoalitionAnalytics) && c.isRecipient(e.Recipient) && now.Before(e.ExpiresAt)
}

// withJurisdiction is js with j added, sorted; the same slice when j is in it or empty.
func withJurisdiction(js []string, j string) []string {
	if j == "" {
		return js
	}
	i, found := slices.BinarySearch(js, j)
	if found {
		return js
	}
	return slices.Insert(slices.Clone(js), i, j)
}
