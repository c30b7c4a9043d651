// Package scalar holds the GraphQL scalars whose input Waymark checks itself: Int (32
// bits, as the GraphQL spec says, numbers only) and Time (RFC 3339). gqlgen binds them
// through gqlgen.yml. A value that does not fit is an *InputError, which the API
// answers as BAD_USER_INPUT; its message never repeats the value, which may be
// personal data typed into the wrong field.
package scalar

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// ErrInvalid is a scalar input that does not coerce to its type.
var ErrInvalid = errors.New("invalid scalar value")

// InputError says which scalar an input failed and why, without the input.
type InputError struct {
	Scalar string
	Reason string
}

func (e *InputError) Error() string { return e.Scalar + " " + e.Reason }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *InputError) Unwrap() error { return ErrInvalid }

// MarshalInt writes an Int.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

// UnmarshalInt reads an Int: a JSON number (or literal) with no fraction, within 32
// bits. Strings are refused: "5" is not a number.
func UnmarshalInt(v any) (int, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return 0, intError()
		}
		n = i
	case float64:
		if x != math.Trunc(x) || x < math.MinInt32 || x > math.MaxInt32 {
			return 0, intError()
		}
		n = int64(x)
	default:
		return 0, &InputError{Scalar: "Int", Reason: fmt.Sprintf("must be a number, not %s", kindOf(v))}
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, intError()
	}
	return int(n), nil
}

func intError() error {
	return &InputError{Scalar: "Int", Reason: fmt.Sprintf("must be a whole number between %d and %d", math.MinInt32, math.MaxInt32)}
}

// MarshalTime writes a Time in RFC 3339 with nanoseconds (null for the zero time).
func MarshalTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalTime reads a Time: an RFC 3339 date-time with its offset. A date alone is
// refused rather than guessed at midnight of some zone: consent expiries depend on it.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, &InputError{Scalar: "Time", Reason: fmt.Sprintf("must be a string, not %s", kindOf(v))}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, &InputError{Scalar: "Time", Reason: "must be an RFC 3339 date-time with a zone, such as 2030-01-01T00:00:00Z"}
	}
	return t, nil
}

// kindOf names the JSON kind of v for a message (never its value).
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, int, int32, int64, float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "another kind of value"
}
