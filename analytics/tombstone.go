package analytics

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// TombstoneMessage is the tombstone's message and schema name in asyncapi.yaml.
const TombstoneMessage = "Tombstone"

// TombstoneType is the CloudEvents type of a tombstone.
const TombstoneType = TypePrefix + "tombstone." + ContractVersion

// Tombstone is the message that says one journey is gone from the feed (its case
// erased, or its analytics consent withdrawn or expired), published on
// TombstoneSubject(jurisdiction) once per jurisdiction the journey was published
// under: its subject is the pseudonym, its time the day it left, its data only the
// jurisdiction. It never says why the journey left (a withdrawal or an erasure is
// itself something a consumer must not learn).
//
// entry is the stored id of the event that brought the case into the feed this time:
// a case that comes back with a new grant and leaves again gets new tombstones, so
// each tombstone's id is unique and a de-duplicating consumer (or JetStream's
// duplicate window) never drops the second one. The id is a keyed hash of the case,
// the entry and the jurisdiction, like every published id.
func Tombstone(caseID, entry, jurisdiction string, at time.Time, p Pseudonymizer) (CloudEvent, bool) {
	if caseID == "" || entry == "" || jurisdiction == "" || !p.valid() {
		return CloudEvent{}, false
	}
	m := hmac.New(sha256.New, p.Key)
	m.Write([]byte("tombstone:" + caseID + "\x00" + entry + "\x00" + jurisdiction))
	return CloudEvent{
		SpecVersion:     SpecVersion,
		ID:              EventIDPrefix + hex.EncodeToString(m.Sum(nil)),
		Source:          Source,
		Type:            TombstoneType,
		Time:            day(at),
		Subject:         p.Pseudonym(caseID),
		DataContentType: ContentType,
		DataSchema:      SchemaBase + SchemaName(TombstoneMessage),
		Data:            map[string]any{"jurisdiction": jurisdiction},
	}, true
}
