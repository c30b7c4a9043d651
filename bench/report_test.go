package bench

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A report renders one table per section, in the order the sections were added, with
// a cell's pipes and line breaks kept inside it, and counts the rows that failed.
func TestReportMarkdown(t *testing.T) {
	r := &Report{Title: "T", Header: [][2]string{{"date", "today"}}}
	r.SetAbout("Writes", "How.")
	r.Add("Reads", Row{Figure: "a | b", Waymark: "1\n2", Target: "< 5 ms", Met: Verdict(true)})
	r.Add("Writes", ErrorRow("w", errors.New("broken")))
	var b strings.Builder
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	want := `# T

- **date:** today

## Writes

How.

| figure | Waymark | baseline | ratio | target | met |
|---|---|---|---|---|---|
| w | error: broken |  |  |  | **error** |

## Reads

| figure | Waymark | baseline | ratio | target | met |
|---|---|---|---|---|---|
| a \| b | 1 2 |  |  | < 5 ms | met |
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if r.Errors() != 1 {
		t.Errorf("%d errors, want 1", r.Errors())
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Rate(1234.4), "1,234/s"},
		{Rate(999.6), "1,000/s"},
		{Count(2_000_000), "2,000,000"},
		{Count(-1234), "-1,234"},
		{Ratio(1, 2), "0.50×"},
		{Ratio(25, 2), "12.5×"},
		{Ratio(1, 0), "n/a"},
		{Millis(1234 * time.Microsecond), "1.23 ms"},
		{Millis(123456 * time.Microsecond), "123 ms"},
		{Millis(9924 * time.Millisecond), "9.92 s"},
		{Seconds(1500 * time.Millisecond), "1.50 s"},
		{Bytes(512), "512 B"},
		{Bytes(10 * 1024), "10.0 KiB"},
		{Bytes(300 << 20), "300 MiB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
