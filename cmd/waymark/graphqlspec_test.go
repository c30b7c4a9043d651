package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The GraphQL API as off-the-shelf clients see it, checked with their own code from
// the npm registry (.ci/graphql-audit: package.json and package-lock.json pin the
// versions): graphql-http's server audit, the reference implementation's conformance
// suite for GraphQL over HTTP, and graphql-ws's client speaking graphql-transport-ws
// to the subscriptions. Both run against the real binary, 'waymark serve --dev', with
// tokens of a shelter, a bank and the coalition's analysts.

// auditDir holds the node scripts and their packages, from this package's directory.
var auditDir = filepath.Join("..", "..", ".ci", "graphql-audit")

// nodeScript returns the command running one of auditDir's scripts, or fails the test
// saying how to install what is missing: node, or the npm packages.
func nodeScript(t *testing.T, ctx context.Context, script string, args ...string) *exec.Cmd {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: this test runs graphql-http's audit and the graphql-ws client with it " +
			"(Debian: apt-get install nodejs npm; then npm ci --prefix .ci/graphql-audit)")
	}
	installAuditPackages(t)
	cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
	cmd.Dir = auditDir
	return cmd
}

// auditPackages are the npm packages the scripts import.
var auditPackages = []string{"graphql-http", "graphql-ws", "ws", "graphql"}

// installAuditPackages installs the pinned npm packages (npm ci, from
// package-lock.json) when one is missing, so that 'go test ./...' works on a fresh
// clone as the README says; it fails the test saying what to do when it cannot.
func installAuditPackages(t *testing.T) {
	t.Helper()
	missing := func() string {
		for _, pkg := range auditPackages {
			if _, err := os.Stat(filepath.Join(auditDir, "node_modules", pkg, "package.json")); err != nil {
				return pkg
			}
		}
		return ""
	}
	pkg := missing()
	if pkg == "" {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("the npm package %s is not installed, and npm is not there to install it "+
			"(Debian: apt-get install nodejs npm; then npm ci --prefix .ci/graphql-audit)", pkg)
	}
	t.Logf("the npm package %s is missing: npm ci --prefix .ci/graphql-audit", pkg)
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = auditDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in .ci/graphql-audit: %v\n%s", err, out)
	}
	if pkg := missing(); pkg != "" {
		t.Fatalf("npm ci in .ci/graphql-audit did not install %s", pkg)
	}
}

// auditResult is one line of audit.mjs: one of graphql-http's server audits.
type auditResult struct {
	ID, Name, Status, Reason, ContentType, Body string
	HTTPStatus                                  int
}

func TestGraphQLOverHTTPAndSubscriptionsAsClientsSeeThem(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "keys", "generate", "--data-dir", dir)
	// The audit sends about 60 requests as fast as it can: a rate it cannot reach.
	srv := startServer(t, dir, "--dev", "--rate-limit", "default=100000")
	registerOrganisations(t, srv, mintToken(t, dir, "admin", ""))
	caseworker := mintToken(t, dir, "caseworker", "mx-refugio-esperanza")
	bank := mintToken(t, dir, "bank", "mx-banco-solidario")
	analyst := mintToken(t, dir, "analyst", "coalition-analytics")

	t.Run("graphql-http audit", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		cmd := nodeScript(t, ctx, "audit.mjs", "http://"+srv.http+"/graphql")
		cmd.Env = append(os.Environ(), "WAYMARK_TOKEN="+caseworker)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node audit.mjs: %v\n%s", err, stderrOf(err))
		}
		passed, total := map[string]int{}, map[string]int{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var r auditResult
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("audit line %q: %v", line, err)
			}
			level, _, _ := strings.Cut(r.Name, " ")
			total[level]++
			if r.Status == "ok" {
				passed[level]++
				continue
			}
			if level == "MUST" || level == "SHOULD" {
				t.Errorf("%s %s: %s (HTTP %d, %s): %s", r.ID, r.Name, r.Reason, r.HTTPStatus, r.ContentType, r.Body)
			}
		}
		if total["MUST"] == 0 || total["SHOULD"] == 0 {
			t.Fatalf("the audit ran no MUST or SHOULD audit: %s", out)
		}
		t.Logf("graphql-http server audit: MUST %d/%d, SHOULD %d/%d, MAY %d/%d",
			passed["MUST"], total["MUST"], passed["SHOULD"], total["SHOULD"], passed["MAY"], total["MAY"])
	})

	t.Run("graphql-ws subscriptions", func(t *testing.T) {
		// A case of the shelter with a banking grant to the bank: showing it
		// to the bank puts it in the bank's work queue.
		caseID := caseForBank(t, srv, caseworker)
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		cmd := nodeScript(t, ctx, "subscriptions.mjs", "ws://"+srv.http+"/graphql")
		cmd.Env = append(os.Environ(), "WAYMARK_BANK_TOKEN="+bank, "WAYMARK_ANALYST_TOKEN="+analyst)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		steps := map[string]json.RawMessage{}
		var shownAt string
		lines := bufio.NewScanner(stdout)
		lines.Buffer(nil, 1<<20)
		for lines.Scan() {
			var step struct{ Step string }
			if err := json.Unmarshal(lines.Bytes(), &step); err != nil {
				t.Fatalf("subscriptions.mjs wrote %q: %v", lines.Text(), err)
			}
			steps[step.Step] = append(json.RawMessage(nil), lines.Bytes()...)
			if step.Step == "subscribed" {
				shownAt = gqlMutation(t, srv, caseworker, "referToBank", "ReferToBankInput",
					map[string]any{"commandId": "ws-client-show", "caseId": caseID, "bankId": "mx-banco-solidario"})
				if _, err := io.WriteString(stdin, "go\n"); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("node subscriptions.mjs: %v\n%s", err, stderr.String())
		}

		want := map[string]string{
			// connection_init with a bad token: 4403, graphql-transport-ws's Forbidden.
			"bad token": `{"step":"bad token","closeCode":4403,"reason":"unauthenticated"}`,
			// The client's ping answered with a pong.
			"pong": `{"step":"pong"}`,
			// Coded errors for an operation the socket does not run.
			"invalid subscription":  `{"step":"invalid subscription","codes":["GRAPHQL_VALIDATION_FAILED"]}`,
			"query over the socket": `{"step":"query over the socket","codes":["BAD_REQUEST"],"completed":true}`,
			// One token's fifth workChanged subscription is refused.
			"subscribed": `{"step":"subscribed","refused":["RATE_LIMITED"]}`,
		}
		for step, line := range want {
			if string(steps[step]) != line {
				t.Errorf("step %s: %s, want %s", step, steps[step], line)
			}
		}
		// Each of the bank's four subscriptions received the case shown, ids and codes
		// only, with the position of the command's event.
		var changes struct {
			Results []struct {
				Data struct {
					WorkChanged struct {
						OrganisationID, Kind, CaseID, ItemID, Position, At string
						Added                                              bool
					}
				}
				Errors []any
			}
		}
		if err := json.Unmarshal(steps["changes"], &changes); err != nil || len(changes.Results) != 4 {
			t.Fatalf("changes: %s (%v), want 4", steps["changes"], err)
		}
		for _, r := range changes.Results {
			c := r.Data.WorkChanged
			if len(r.Errors) > 0 || c.OrganisationID != "mx-banco-solidario" || c.Kind != "CASE_SHOWN" || c.CaseID != caseID ||
				!c.Added || c.Position != shownAt || c.ItemID == "" || c.At == "" {
				t.Errorf("a change: %+v (errors %v), want case %s shown to mx-banco-solidario at %s", c, r.Errors, caseID, shownAt)
			}
		}
		// dashboardUpdated: the first message is the dashboard as it stands.
		var dash struct {
			Result struct {
				Data struct {
					DashboardUpdated struct {
						Months []string
						Funnel []struct{ Code string }
					}
				}
				Errors []any
			}
		}
		if err := json.Unmarshal(steps["dashboard"], &dash); err != nil || len(dash.Result.Errors) > 0 ||
			len(dash.Result.Data.DashboardUpdated.Funnel) == 0 || len(dash.Result.Data.DashboardUpdated.Months) == 0 {
			t.Errorf("dashboardUpdated's first message: %s (%v)", steps["dashboard"], err)
		}
	})
}

// registerOrganisations registers a shelter, a bank and the coalition's analytics
// organisation as admin, and waits until the directory has them: their staff's
// tokens are accepted from then on.
func registerOrganisations(t *testing.T, srv *server, admin string) {
	t.Helper()
	var position string
	for _, org := range []map[string]any{
		{"id": "mx-refugio-esperanza", "name": "Refugio", "kind": "SHELTER", "services": []string{"SHELTER"}},
		{"id": "mx-banco-solidario", "name": "Banco", "kind": "BANK", "services": []string{"BANKING"}},
		{"id": "coalition-analytics", "name": "Analytics", "kind": "COALITION", "services": []string{}},
	} {
		org["commandId"], org["jurisdiction"] = "register-"+org["id"].(string), "MX"
		var out struct {
			Data   struct{ RegisterOrganisation struct{ Position string } } `json:"data"`
			Errors []any                                                    `json:"errors"`
		}
		status, raw := srv.gqlVars(admin, `mutation($in: RegisterOrganisationInput!) { registerOrganisation(input: $in) { position } }`,
			map[string]any{"in": org}, &out)
		if status != 200 || len(out.Errors) > 0 {
			t.Fatalf("registerOrganisation %s: HTTP %d %s", org["id"], status, raw)
		}
		position = out.Data.RegisterOrganisation.Position
	}
	q := fmt.Sprintf(`{ organisation(id: "coalition-analytics", minPosition: %q) { id } }`, position)
	if status, raw := srv.gql(admin, q, nil); status != 200 || strings.Contains(raw, `"errors"`) {
		t.Fatalf("read the directory: HTTP %d %s", status, raw)
	}
}

// caseForBank refers a survivor to the shelter and grants the bank a banking
// consent; it returns the case's id.
func caseForBank(t *testing.T, srv *server, caseworker string) string {
	t.Helper()
	var out struct {
		Data struct{ ReferSurvivor struct{ CaseID string } } `json:"data"`
	}
	status, raw := srv.gql(caseworker, `mutation { referSurvivor(input: {commandId: "ws-client-refer",
		referringOrganisationId: "mx-refugio-esperanza", jurisdiction: "MX", needs: [BANK_ACCOUNT], barriers: [NO_ID],
		survivor: {fullName: "Cliente Prueba"}}) { caseId } }`, &out)
	if status != 200 || out.Data.ReferSurvivor.CaseID == "" {
		t.Fatalf("referSurvivor: HTTP %d %s", status, raw)
	}
	id := out.Data.ReferSurvivor.CaseID
	gqlMutation(t, srv, caseworker, "grantConsent", "GrantConsentInput", map[string]any{"commandId": "ws-client-grant", "caseId": id,
		"recipientOrganisationId": "mx-banco-solidario", "categories": []string{"BANKING"}, "purposes": []string{"BANKING"},
		"expiresAt": time.Now().Add(365 * 24 * time.Hour).UTC().Format(time.RFC3339)})
	return id
}

// gqlMutation runs a case mutation with input and returns the position of its event.
func gqlMutation(t *testing.T, srv *server, token, name, inputType string, input map[string]any) string {
	t.Helper()
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Data   map[string]struct{ Position string } `json:"data"`
		Errors []any                                `json:"errors"`
	}
	status, raw := srv.gqlVars(token, fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { position } }`, inputType, name),
		map[string]json.RawMessage{"in": in}, &out)
	if status != 200 || len(out.Errors) > 0 || out.Data[name].Position == "" {
		t.Fatalf("%s: HTTP %d %s", name, status, raw)
	}
	return out.Data[name].Position
}

// stderrOf returns what a command that failed wrote to its standard error.
func stderrOf(err error) string {
	if exit, ok := err.(*exec.ExitError); ok {
		return string(exit.Stderr)
	}
	return ""
}
