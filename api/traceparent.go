package api

// W3C Trace Context (https://www.w3.org/TR/trace-context/): a caller's traceparent
// header names the trace a request belongs to and the caller's span. Waymark has no
// tracer of its own: it puts the trace and span ids into the request's log line and
// echoes a valid header in the response, so a request is found in a tracing system
// and in Waymark's log under one id. An invalid header is ignored, never an error.

// HeaderTraceparent carries the W3C trace context.
const HeaderTraceparent = "traceparent"

// traceparent is a header that parsed: the 32 and 16 lowercase hex digits of the trace
// and parent (the caller's span) ids, substrings of the header, and the header to
// echo (a later version's, as version 00: the one this parser knows).
type traceparent struct {
	traceID, spanID, header string
}

// parseTraceparent parses version-traceid-parentid-flags. Version ff is invalid; a
// version after 00 may carry more fields after the flags (a later version's), which
// are ignored; all-zero ids are invalid.
func parseTraceparent(h string) (traceparent, bool) {
	const size = 2 + 1 + 32 + 1 + 16 + 1 + 2 // 55
	if len(h) < size || h[2] != '-' || h[35] != '-' || h[52] != '-' {
		return traceparent{}, false
	}
	version, trace, span, flags := h[0:2], h[3:35], h[36:52], h[53:55]
	switch {
	case !lowerHex(version) || version == "ff":
		return traceparent{}, false
	case version == "00" && len(h) != size:
		return traceparent{}, false
	case len(h) > size && h[size] != '-':
		return traceparent{}, false
	case !lowerHex(trace) || allZero(trace) || !lowerHex(span) || allZero(span) || !lowerHex(flags):
		return traceparent{}, false
	}
	echo := h
	if version != "00" {
		echo = "00" + h[2:size]
	}
	return traceparent{traceID: trace, spanID: span, header: echo}, true
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func allZero(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}
