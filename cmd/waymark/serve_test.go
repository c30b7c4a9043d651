package main

import "testing"

// A cluster's URL list loses every user and password before it is logged.
func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"nats://a:4222":                        "nats://a:4222",
		"nats://u:secret@a:4222":               "nats://a:4222",
		"nats://a:4222,nats://u:secret@b:4222": "nats://a:4222,nats://b:4222",
		"tls://t0ken@a:4222, tls://b:4222":     "tls://a:4222,tls://b:4222",
		"nats://a:4222,nats://u:%zz@b:4222":    "nats://a:4222,(unparsable URL)",
	} {
		if got := redactURL(raw); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
