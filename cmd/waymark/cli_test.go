package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// executeCapture runs the command line in-process and returns what it printed.
func executeCapture(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = execute(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errOut}, quietLogger())
	return out.String(), errOut.String(), err
}

// commandPaths are the paths of every command of the real tree, subcommands and
// cobra's own (help, completion) included.
func commandPaths(t *testing.T) [][]string {
	t.Helper()
	root, err := newRoot(stdio{}, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, s := range c.Commands() {
			walk(s, append(append([]string(nil), path...), s.Name()))
		}
	}
	walk(root, nil)
	return paths
}

// -h and --help on every command and subcommand print its help on stdout and exit 0,
// running nothing: nothing is written where the default data directory would be.
func TestHelpOnEveryCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	paths := commandPaths(t)
	if len(paths) < 30 {
		t.Fatalf("only %d commands in the tree", len(paths))
	}
	for _, path := range paths {
		for _, help := range []string{"--help", "-h"} {
			args := append(append([]string(nil), path...), help)
			stdout, _, err := executeCapture(t, args...)
			if err != nil || exitCode(err) != 0 {
				t.Errorf("waymark %s: %v (exit %d), want help and exit 0", strings.Join(args, " "), err, exitCode(err))
				continue
			}
			if !strings.Contains(stdout, "Usage:") || !strings.Contains(stdout, strings.Join(append([]string{"waymark"}, path...), " ")) {
				t.Errorf("waymark %s printed no usage of its own:\n%s", strings.Join(args, " "), stdout)
			}
		}
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("asking for help wrote %d entries into the working directory", len(entries))
	}
}

// Each flag's help line names its variable; bench's name none (it reads none).
func TestHelpListsTheVariables(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"serve", "--help"}, []string{"--data-dir string", "[$WAYMARK_DATA_DIR]", "--dev", "[$WAYMARK_DEV]", "[$WAYMARK_HTTP_ADDR]", "[$WAYMARK_NATS_LISTEN]"}},
		{[]string{"token", "issue", "--help"}, []string{"[$WAYMARK_DATA_DIR]", "[$WAYMARK_SIGNING_KEY]", "[$WAYMARK_MAX_TOKEN_LIFETIME]"}},
		{[]string{"keys", "rotate", "--help"}, []string{"[$WAYMARK_KEYS_DIR]"}},
	} {
		stdout, _, err := executeCapture(t, tc.args...)
		for _, w := range tc.want {
			if err != nil || !strings.Contains(stdout, w) {
				t.Errorf("%v: %v; want %q in:\n%s", tc.args, err, w, stdout)
			}
		}
	}
	stdout, _, err := executeCapture(t, "bench", "--help")
	if err != nil || strings.Contains(stdout, "$WAYMARK_") || !strings.Contains(stdout, "--quick") || strings.Contains(stdout, "--smoke") {
		t.Errorf("bench --help: %v\n%s", err, stdout)
	}
}

// A flag's variable is read when the line does not give the flag; a boolean takes the
// usual spellings in any case; a bad value names the variable and the spellings.
func TestFlagsFromTheEnvironment(t *testing.T) {
	declare := func() (*flag.FlagSet, *bool, *string) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		return fs, fs.Bool("dev", false, ""), fs.String("data-dir", "./data", "")
	}
	for _, v := range []string{"yes", "YES", "true", "True", "1", "on", "On"} {
		t.Setenv("WAYMARK_DEV", v)
		fs, dev, _ := declare()
		if err := parse(fs, nil); err != nil || !*dev {
			t.Errorf("WAYMARK_DEV=%s: %v, dev %v", v, err, *dev)
		}
	}
	for _, v := range []string{"no", "NO", "false", "0", "off", "Off"} {
		t.Setenv("WAYMARK_DEV", v)
		fs, dev, _ := declare()
		if err := parse(fs, []string{}); err != nil || *dev {
			t.Errorf("WAYMARK_DEV=%s: %v, dev %v", v, err, *dev)
		}
	}
	t.Setenv("WAYMARK_DEV", "maybe")
	fs, _, _ := declare()
	if err := parse(fs, nil); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), `WAYMARK_DEV="maybe"`) ||
		!strings.Contains(err.Error(), "yes/no, on/off") {
		t.Errorf("WAYMARK_DEV=maybe: %v, want a usage error naming the variable and the spellings", err)
	}
	// The command line wins, and only what it gives counts as given (fs.Visit).
	t.Setenv("WAYMARK_DEV", "yes")
	t.Setenv("WAYMARK_DATA_DIR", "/from/env")
	fs, dev, dataDir := declare()
	if err := parse(fs, []string{"--dev=false"}); err != nil || *dev || *dataDir != "/from/env" {
		t.Errorf("--dev=false over WAYMARK_DEV=yes: %v, dev %v, data dir %q", err, *dev, *dataDir)
	}
	given := 0
	fs.Visit(func(*flag.Flag) { given++ })
	if given != 1 {
		t.Errorf("%d flags visited, want the one on the line", given)
	}

	// Through the real tree: a variable of a command's flag, and a bad one refused
	// before serve touches anything.
	t.Setenv("WAYMARK_JSON", "on")
	stdout, _, err := executeCapture(t, "version")
	if err != nil || !json.Valid([]byte(stdout)) {
		t.Errorf("WAYMARK_JSON=on waymark version: %v, want JSON:\n%s", err, stdout)
	}
	if stdout, _, err = executeCapture(t, "version", "--json=false"); err != nil || json.Valid([]byte(stdout)) {
		t.Errorf("waymark version --json=false over WAYMARK_JSON=on: %v\n%s", err, stdout)
	}
	dir := t.TempDir()
	t.Setenv("WAYMARK_DEV", "maybe")
	_, _, err = executeCapture(t, "serve", "--data-dir", dir)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "WAYMARK_DEV") {
		t.Errorf("WAYMARK_DEV=maybe waymark serve: %v (exit %d)", err, exitCode(err))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused serve wrote %d entries into the data directory", len(entries))
	}
}

// waymark version says what it knows and "unknown" for the rest; what a release
// build stamps with -ldflags wins.
func TestVersion(t *testing.T) {
	stdout, _, err := executeCapture(t, "version")
	if err != nil || !strings.HasPrefix(stdout, "waymark ") || !strings.Contains(stdout, runtime.Version()) ||
		!strings.Contains(stdout, "built:       unknown") {
		t.Errorf("waymark version: %v\n%s", err, stdout)
	}
	saved := [3]string{version, commit, buildTime}
	t.Cleanup(func() { version, commit, buildTime = saved[0], saved[1], saved[2] })
	version, commit, buildTime = "v1.2.3", "0123456789abcdef", "2026-01-02T03:04:05Z"
	stdout, _, err = executeCapture(t, "version", "--json")
	var v versionInfo
	if err != nil || json.Unmarshal([]byte(stdout), &v) != nil {
		t.Fatalf("waymark version --json: %v\n%s", err, stdout)
	}
	if v.Version != "v1.2.3" || v.Commit != "0123456789abcdef" || v.BuildTime != "2026-01-02T03:04:05Z" || v.Go != runtime.Version() {
		t.Errorf("stamped version: %+v", v)
	}
	if stdout, _, _ = executeCapture(t, "--version"); !strings.Contains(stdout, "waymark v1.2.3 (commit 0123456789abcdef, built 2026-01-02T03:04:05Z") {
		t.Errorf("waymark --version: %s", stdout)
	}
}

// cobra's completion scripts, and the completion they call back for: the flags of a
// command.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		stdout, _, err := executeCapture(t, "completion", shell)
		if err != nil || len(stdout) < 500 || !strings.Contains(stdout, "waymark") {
			t.Errorf("completion %s: %v, %d bytes", shell, err, len(stdout))
		}
	}
	stdout, _, err := executeCapture(t, cobra.ShellCompRequestCmd, "serve", "--data")
	if err != nil || !strings.Contains(stdout, "--data-dir") {
		t.Errorf("completing 'waymark serve --data': %v\n%s", err, stdout)
	}
	stdout, _, err = executeCapture(t, cobra.ShellCompRequestCmd, "ke")
	if err != nil || !strings.Contains(stdout, "keys") {
		t.Errorf("completing 'waymark ke': %v\n%s", err, stdout)
	}
}

// waymark schema prints SDL that parses, and is the schema of the files gqlgen made
// the server from (TestServeDemoAndShutdown compares it with what a server answers).
func TestSchemaCommand(t *testing.T) {
	stdout, _, err := executeCapture(t, "schema")
	if err != nil {
		t.Fatal(err)
	}
	printed, gerr := gqlparser.LoadSchema(&ast.Source{Name: "waymark schema", Input: stdout})
	if gerr != nil {
		t.Fatalf("the printed schema does not parse: %v", gerr)
	}
	sources := []*ast.Source{}
	files, _ := filepath.Glob("../../schema/*.graphqls")
	for _, name := range append([]string{"../../schema.graphql"}, files...) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: name, Input: string(b)})
	}
	fromFiles, gerr := gqlparser.LoadSchema(sources...)
	if gerr != nil {
		t.Fatal(gerr)
	}
	if len(files) < 10 || schemaSDL(printed) != schemaSDL(fromFiles) {
		t.Errorf("waymark schema differs from the schema files (%d files)", len(files))
	}
	for _, want := range []string{"type Query {", "type Mutation {", "directive @group", `"""`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("waymark schema has no %q", want)
		}
	}
}

// The binary's exit status: 0 for help, 2 for a mistake in the command line (the
// in-process tests check exitCode, which main uses, on every command).
func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // on stdout (help) or stderr (a mistake)
	}{
		{[]string{"keys", "--help"}, 0, "waymark keys [command]"},
		{[]string{"keys", "rotate", "-h"}, 0, "waymark keys rotate [flags]"},
		{[]string{"serve", "--help"}, 0, "[$WAYMARK_DATA_DIR]"},
		{[]string{"frobnicate"}, 2, `waymark: usage: unknown command "frobnicate"`},
		{[]string{"serve", "--colour"}, 2, "waymark: usage: unknown flag: --colour (see 'waymark serve --help')"},
	} {
		stdout, stderr, code := runWaymark(t, childEnv(), tc.args...)
		if code != tc.code || !strings.Contains(stdout+stderr, tc.out) {
			t.Errorf("waymark %s: exit %d, want %d with %q:\n%s%s", strings.Join(tc.args, " "), code, tc.code, tc.out, stdout, stderr)
		}
	}
}
