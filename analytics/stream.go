package analytics

import "strings"

// StreamName is the JetStream stream of the feed, in Waymark's account; the analysts'
// account holds a stream of the same name sourced from it.
const StreamName = "WAYMARK_ANALYTICS"

// StreamSubjects are the subjects StreamName holds: every journey message and every
// tombstone.
const StreamSubjects = SubjectPrefix + ">"

// TombstoneToken is the last subject token of a tombstone.
const TombstoneToken = "tombstones"

// TombstoneSubjects match every jurisdiction's tombstones.
const TombstoneSubjects = SubjectPrefix + "*." + TombstoneToken

// TombstoneSubject is the subject of a jurisdiction's tombstones:
// waymark.analytics.<jurisdiction>.tombstones. A tombstone says that one pseudonym's
// journey is gone (erased, or its analytics consent withdrawn or expired): its
// CloudEvents subject is the pseudonym, and a consumer drops everything it holds
// under it.
func TombstoneSubject(jurisdiction string) string {
	return SubjectPrefix + strings.ToLower(jurisdiction) + "." + TombstoneToken
}

// PurgeFilter matches every journey message of one pseudonym, in every jurisdiction
// the case was ever in (a transferred case keeps its pseudonym): the subject filter a
// purge of that journey uses. It does not match the tombstones.
func PurgeFilter(pseudonym string) string {
	return SubjectPrefix + "*." + strings.ToLower(pseudonym) + ".>"
}
