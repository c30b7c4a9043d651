// Package sealing protects survivors' personal data: the personal sub-object of every
// event is sealed (AES-256-GCM) with a per-case data key, each data key is wrapped by a
// key-encryption key (KEK) from the Keyring and kept in a KeyStore apart from the events,
// and erasing a case destroys its key so that its sealed data can never be opened again.
// Lookups by name or document number use a keyed blind index, never plaintext.
//
// Files, one concern each:
//   - doc.go: this overview
//   - keyring.go, keyringfile.go: the KEKs and the index key, in memory and on disk
//   - wrap.go: wrapping data keys under a KEK, and the associated-data encodings
//   - sealed.go: the sealed JSON form of a personal sub-object
//   - vault.go, keycache.go: sealing, opening, erasure and rotation
//   - keystore.go: the KeyStore contract and its binary record
//   - jetstream_keystore.go, jetstream_keys.go, jetstream_server.go: the default
//     KeyStore on its own embedded NATS server, deleting with JetStream's secure erase
//   - blindindex.go: Normalise and BlindIndex
//
// Erasure: the default KeyStore's Destroy overwrites the wrapped key in the store's files
// (JetStream secure erase; jetstream_keys.go says exactly what is and is not reached).
// Remnants in freed disk blocks stay encrypted under the KEK: rotate the KEK (Vault.Rotate)
// and discard the old one to make them useless for good.
//
// One Vault per KeyStore, shared by the whole process: a Vault's Destroy evicts only its
// own cache of unwrapped keys.
package sealing
