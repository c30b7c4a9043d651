package bench

import (
	"fmt"
	"io"
	"strings"
)

// Report is one benchmark run: a header saying where and when it ran, then sections,
// each rendered as one markdown table with the same columns, so that every Waymark
// figure stands next to the baseline measured in the same run, their ratio, and the
// target it is held to.
type Report struct {
	Title    string
	Header   [][2]string // name, value: the date, the machine, the versions, the command
	Intro    string      // a paragraph under the header
	Sections []Section
}

// Section is one table.
type Section struct {
	Title string
	About string // how it was measured: a paragraph above the table
	Rows  []Row
}

// Verdicts of a row's target.
const (
	Met    = "met"
	NotMet = "**not met**"
	Failed = "**error**" // the figure could not be measured: Waymark holds the error
)

// Row is one figure. Empty cells are left blank: a figure with no baseline or no
// target has none.
type Row struct {
	Figure   string
	Waymark  string
	Baseline string
	Ratio    string
	Target   string
	Met      string // Met, NotMet, Failed, "n/a (...)" or ""
}

// ErrorRow is a figure that could not be measured.
func ErrorRow(figure string, err error) Row {
	return Row{Figure: figure, Waymark: "error: " + err.Error(), Met: Failed}
}

// Verdict is Met or NotMet.
func Verdict(ok bool) string {
	if ok {
		return Met
	}
	return NotMet
}

// Add appends rows to the section titled title, adding the section if it is new.
func (r *Report) Add(title string, rows ...Row) {
	for i := range r.Sections {
		if r.Sections[i].Title == title {
			r.Sections[i].Rows = append(r.Sections[i].Rows, rows...)
			return
		}
	}
	r.Sections = append(r.Sections, Section{Title: title, Rows: rows})
}

// Errors counts the rows whose figure could not be measured.
func (r *Report) Errors() int {
	n := 0
	for _, s := range r.Sections {
		for _, row := range s.Rows {
			if row.Met == Failed {
				n++
			}
		}
	}
	return n
}

// WriteMarkdown renders the report.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.Title)
	for _, h := range r.Header {
		fmt.Fprintf(&b, "- **%s:** %s\n", h[0], h[1])
	}
	if r.Intro != "" {
		fmt.Fprintf(&b, "\n%s\n", r.Intro)
	}
	for _, s := range r.Sections {
		fmt.Fprintf(&b, "\n## %s\n\n", s.Title)
		if s.About != "" {
			fmt.Fprintf(&b, "%s\n\n", s.About)
		}
		b.WriteString("| figure | Waymark | baseline | ratio | target | met |\n|---|---|---|---|---|---|\n")
		for _, row := range s.Rows {
			cells := []string{row.Figure, row.Waymark, row.Baseline, row.Ratio, row.Target, row.Met}
			for i, c := range cells {
				cells[i] = cell(c)
			}
			fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell makes text safe inside a table cell: a pipe would end the cell, a line break
// the row.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// SetAbout sets the paragraph above the section titled title, adding the section if
// it is new (so that it keeps its place even when all its rows fail).
func (r *Report) SetAbout(title, about string) {
	r.Add(title)
	for i := range r.Sections {
		if r.Sections[i].Title == title {
			r.Sections[i].About = about
		}
	}
}
