package sealing

import (
	"regexp"
	"testing"
)

func TestNormalise(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"José  María":         "jose maria",
		"JOSE MARIA":          "jose maria",
		"  josé-maría\t":      "jose maria",
		"Jean-Pierre, Dupont": "jean pierre dupont",
		"O'Brien":             "obrien",
		"O’Brien":             "obrien",
		"Müller":              "muller",
		"Straße":              "strasse",
		"Łukasz Żółć":         "lukasz zolc",
		"Søren Ærø":           "soren aero",
		"İlkay":               "ilkay",
		"ＡＢＣ１２３":              "abc123",
		"François\u00a0Noël":  "francois noel",
		"ABC-123 45":          "abc 123 45",
		"abc12345":            "abc12345",
		"":                    "",
		" -- ":                "",
	} {
		if got := Normalise(in); got != want {
			t.Errorf("Normalise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBlindIndex(t *testing.T) {
	t.Parallel()
	ks := openStore(t)
	ring := newRing(t, "k1")
	v := newVault(t, ks, ring)
	hexSHA256 := regexp.MustCompile(`^[0-9a-f]{64}$`)

	name := v.BlindIndex(KindName, "José  María")
	if !hexSHA256.MatchString(name) {
		t.Fatalf("BlindIndex = %q, want 64 hex digits", name)
	}
	if got := v.BlindIndex(KindName, "JOSE MARIA"); got != name {
		t.Error("spellings of one name index differently")
	}
	if got := v.BlindIndex(KindName, "Jose Mario"); got == name {
		t.Error("different names index alike")
	}
	if got := v.BlindIndex(KindDocument, "José  María"); got == name {
		t.Error("the same value indexes alike under two kinds")
	}

	doc := v.BlindIndex(KindDocument, "ABC-123 45")
	for _, same := range []string{"abc12345", "ABC 12345", "abc.123.45"} {
		if got := v.BlindIndex(KindDocument, same); got != doc {
			t.Errorf("document %q indexes apart from ABC-123 45", same)
		}
	}
	if v.BlindIndex(KindName, "ABC-123 45") == v.BlindIndex(KindName, "abc12345") {
		t.Error("separators were removed for a name")
	}
	if v.BlindIndex(KindName, " -- ") != "" {
		t.Error("a value that normalises to nothing got an index")
	}

	// The key matters: another index key gives unrelated indexes; a KEK rotation does not.
	other := newVault(t, ks, newRing(t, "k1"))
	if other.BlindIndex(KindName, "José María") == name {
		t.Error("two index keys give the same index")
	}
	rotated, _ := ring.WithNewKEK("k2")
	if newVault(t, ks, rotated).BlindIndex(KindName, "José María") != name {
		t.Error("a KEK rotation changed the blind index")
	}
}
