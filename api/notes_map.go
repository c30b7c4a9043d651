package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func notesToGraph(notes []app.Note) []graph.CaseNote {
	out := make([]graph.CaseNote, len(notes))
	for i, n := range notes {
		out[i] = graph.CaseNote{ID: n.ID, Text: optional(n.Text), AuthorOrganisation: optional(n.AuthorOrganisation), At: n.At}
	}
	return out
}
