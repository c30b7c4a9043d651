package api

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAPIImportsApplicationOnly: the API speaks the application's language. Its code
// (generated code included) imports, of this module, app, auth, the domain's value
// types, the dashboard's (pure: published figures, never a case) and its own packages
// only — never access, sealing, the store, projections, codec or the access log, which
// app alone puts together (and filters for the caller). Tests may import more: they
// build whole nodes.
func TestAPIImportsApplicationOnly(t *testing.T) {
	const module = "github.com/waymark-org/waymark/"
	allowed := map[string][]string{
		".":        {"app", "auth", "domain", "dashboard", "api/graph", "api/graphiql", "api/scalar", "internal/logging"},
		"graph":    {"app", "domain", "dashboard", "api/scalar"},
		"graphiql": {"internal/embedpage"}, // static files only
		"scalar":   {},
	}
	for dir, allow := range allowed {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in api/%s: %v", dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				pkg, ours := strings.CutPrefix(path, module)
				if !ours {
					continue
				}
				ok := false
				for _, a := range allow {
					ok = ok || pkg == a
				}
				if !ok {
					t.Errorf("api/%s imports %s: the API may use %v of this module; ask app for what it needs", file, path, allow)
				}
			}
		}
	}
}
