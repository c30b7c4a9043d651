package main

import (
	"bytes"
	"flag"
	"io"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/waymark-org/waymark/api/graph"
)

const schemaHelp = `Prints the GraphQL schema the server serves, in SDL: the schema compiled into this
binary (schema.graphql and schema/*.graphqls, as gqlgen generated the server from
them), types in alphabetical order, with every description. It needs no server, no
data directory and no token: for client code generators, linters and reviews.`

// schemaCommand: waymark schema
func schemaCommand(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	if err := parse(fs, args); err != nil {
		return err
	}
	_, err := io.WriteString(out, schemaSDL(servedSchema()))
	return err
}

// servedSchema is the schema the API executes: the generated code's own parse of the
// schema files, not a second copy of them.
func servedSchema() *ast.Schema {
	return graph.NewExecutableSchema(graph.Config{}).Schema()
}

// schemaSDL prints schema as SDL (gqlparser's formatter: built-in types and directives
// left out, types sorted, so that two versions diff well).
func schemaSDL(schema *ast.Schema) string {
	var b bytes.Buffer
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(schema)
	return b.String()
}
