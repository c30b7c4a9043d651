package api

import "testing"

func TestParseTraceparent(t *testing.T) {
	const trace, span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	valid := "00-" + trace + "-" + span + "-01"
	for h, want := range map[string]string{ // the header echoed; "" for invalid
		valid:                              valid,
		"00-" + trace + "-" + span + "-00": "00-" + trace + "-" + span + "-00",
		"cc-" + trace + "-" + span + "-01-what-is-new":                  valid, // a later version: read as 00
		"cc-" + trace + "-" + span + "-01":                              valid,
		valid + "-extra":                                                "", // version 00 has exactly four fields
		"ff-" + trace + "-" + span + "-01":                              "", // version ff is invalid
		"00-" + "00000000000000000000000000000000" + "-" + span + "-01": "",
		"00-" + trace + "-0000000000000000-01":                          "",
		"00-" + "4BF92F3577B34DA6A3CE929D0E0E4736" + "-" + span + "-01": "", // uppercase
		"00-" + trace[:31] + "-" + span + "-01":                         "",
		"00_" + trace + "-" + span + "-01":                              "",
		"cc-" + trace + "-" + span + "-01x":                             "",
		"":                                                              "",
		"garbage":                                                       "",
	} {
		tp, ok := parseTraceparent(h)
		switch {
		case ok != (want != ""):
			t.Errorf("%q: valid %v, want %v", h, ok, want != "")
		case ok && (tp.traceID != trace || tp.spanID != span || tp.header != want):
			t.Errorf("%q: %+v", h, tp)
		}
	}
}

func TestRequestIDs(t *testing.T) {
	for id, ok := range map[string]bool{
		"client-req-1": true, "550e8400-e29b-41d4-a716-446655440000": true, "a.b_c:d": true,
		"": false, "has space": false, "semi;colon": false, "é": false,
		string(make([]byte, MaxRequestIDLength+1)): false,
	} {
		if validRequestID(id) != ok {
			t.Errorf("%q: valid %v, want %v", id, !ok, ok)
		}
	}
	if a, b := newRequestID(), newRequestID(); a == b || len(a) != 32 {
		t.Errorf("drawn ids %q, %q", a, b)
	}
}
