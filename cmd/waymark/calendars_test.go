package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A calendar file that cannot be used stops serve before it opens anything, with a
// sentence naming the problem (exit status 2, a usage error).
func TestServeRefusesMalformedCalendars(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "calendars.json")
	if err := os.WriteFile(bad, []byte(`{"calendars":[{"jurisdiction":"US","zone":"America/Nowhere","block_days":4}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	err := run(context.Background(), []string{"serve", "--data-dir", data, "--calendars", bad}, quietLogger())
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), `calendars[0] (US): zone "America/Nowhere" is not a known IANA time zone`) {
		t.Fatalf("serve: %v, want a usage error naming the zone", err)
	}
	if _, statErr := os.Stat(data); !os.IsNotExist(statErr) {
		t.Errorf("the refused start created %s", data)
	}

	missing := filepath.Join(dir, "absent.json")
	t.Setenv("WAYMARK_CALENDARS", missing)
	err = run(context.Background(), []string{"serve", "--data-dir", data}, quietLogger())
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "WAYMARK_CALENDARS): cannot read the calendar file: open "+missing) {
		t.Fatalf("serve with WAYMARK_CALENDARS=%s: %v", missing, err)
	}
}

func TestLoadCalendars(t *testing.T) {
	set, err := loadCalendars("", quietLogger())
	if err != nil || strings.Join(set.Jurisdictions(), ",") != "GB,MX,US" {
		t.Fatalf("defaults: %v %v", set, err)
	}
	file := filepath.Join(t.TempDir(), "cal.json")
	if err := os.WriteFile(file, []byte(`{"calendars":[{"jurisdiction":"CA","zone":"America/Toronto","weekend":["saturday","sunday"],"block_days":5}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err = loadCalendars(file, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := set.For("CA"); !ok || c.BlockDays != 5 {
		t.Errorf("CA from the file: %+v %v", c, ok)
	}
	if _, ok := set.For("US"); ok {
		t.Error("a file replaces the built-in calendars; US is still there")
	}
}
