package jetstream

import "strings"

// The analytics feed's names, as package analytics defines them (analytics/stream.go).
// Repeated here because this package cannot import analytics (analytics' tests use
// internal/testkit, which uses this package); TestFeedNamesAreAnalytics keeps them
// equal.
const (
	// feedStream is the feed's stream, in AppAccount, and the analysts' copy, in
	// AnalyticsAccount (analytics.StreamName).
	feedStream = "WAYMARK_ANALYTICS"
	// feedSubjects are its subjects (analytics.StreamSubjects).
	feedSubjects = feedPrefix + ">"
	// feedPrefix starts every feed subject (analytics.SubjectPrefix).
	feedPrefix = "waymark.analytics."
	// tombstoneToken is a tombstone subject's last token (analytics.TombstoneToken).
	tombstoneToken = "tombstones"
	// pseudonymPrefix starts every pseudonym (analytics.PseudonymPrefix).
	pseudonymPrefix = "p-"
)

// journeyFilter matches every journey message of one pseudonym
// (analytics.PurgeFilter).
func journeyFilter(pseudonym string) string {
	return feedPrefix + "*." + strings.ToLower(pseudonym) + ".>"
}

// isTombstoneSubject reports whether subject is a tombstone's:
// waymark.analytics.<jurisdiction>.tombstones (analytics.TombstoneSubjects).
func isTombstoneSubject(subject string) bool {
	rest, ok := strings.CutPrefix(subject, feedPrefix)
	j, last, found := strings.Cut(rest, ".")
	return ok && found && j != "" && last == tombstoneToken
}
