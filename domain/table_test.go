package domain

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The table is the one place an event type or a case command is described. These
// tests read the package's own source, so an event struct or a command added without
// its row (CONTRIBUTING.md, step 3) fails here, not in production.

// declared lists the types of the package's source files (tests left out) that have
// a method called method, with the file each is declared in.
func declared(t *testing.T, method string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range sourceFiles(t) {
		for _, d := range f.file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != method {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				t.Errorf("%s: %s has a pointer receiver; events and commands are values", f.name, method)
				recv = star.X
			}
			out[recv.(*ast.Ident).Name] = f.name
		}
	}
	return out
}

type sourceFile struct {
	name string
	file *ast.File
}

func sourceFiles(t *testing.T) []sourceFile {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []sourceFile
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sourceFile{name, f})
	}
	return out
}

func TestEveryEventTypeIsInTheTable(t *testing.T) {
	inTable := map[string]EventSpec{}
	for _, s := range Events() {
		inTable[s.GoType.Name()] = s
	}
	events := declared(t, "EventType")
	if len(events) < 39 {
		t.Fatalf("found only %d event types in the source: the walk is broken", len(events))
	}
	for name, file := range events {
		if _, ok := inTable[name]; !ok {
			t.Errorf("%s is an event but not in the event table: add a row for it to the table in %s", name, file)
		}
	}
	for name := range inTable {
		if _, ok := events[name]; !ok {
			t.Errorf("the table lists %s, which the package does not declare as an event", name)
		}
	}
}

// Every command is decided somewhere: a case command by its row of the command table,
// an organisation or revocation command by its aggregate's own Decide.
func TestEveryCommandIsDecided(t *testing.T) {
	caseCommands := map[string]bool{}
	for typ := range theTable.commands {
		caseCommands[typ.Name()] = true
	}
	others := typesSwitchedOnIn(t, "decideOrganisation", "DecideRevocation")
	commands := declared(t, "CommandType")
	if len(commands) < 36 {
		t.Fatalf("found only %d commands in the source: the walk is broken", len(commands))
	}
	for name, file := range commands {
		switch {
		case caseCommands[name] && others[name]:
			t.Errorf("%s is decided twice: by the case command table and by another aggregate", name)
		case !caseCommands[name] && !others[name]:
			t.Errorf("%s is a command nobody decides: add a caseCommand row for it to the table in %s", name, file)
		}
	}
}

// typesSwitchedOnIn lists the types named in the type switches of the given functions.
func typesSwitchedOnIn(t *testing.T, funcs ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, f := range sourceFiles(t) {
		for _, d := range f.file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !slices.Contains(funcs, fn.Name.Name) {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if clause, ok := n.(*ast.CaseClause); ok {
					for _, x := range clause.List {
						if id, ok := x.(*ast.Ident); ok {
							out[id.Name] = true
						}
					}
				}
				return true
			})
		}
	}
	return out
}

// A duplicate would be silently dropped by the lookups: refuse it here.
func TestTableHasNoDuplicates(t *testing.T) {
	names, types, commands := map[string]bool{}, map[reflect.Type]bool{}, map[reflect.Type]bool{}
	for _, c := range concerns() {
		for _, s := range c.events {
			if names[s.Type] || types[s.GoType] {
				t.Errorf("%s (%v) is in the event table twice", s.Type, s.GoType)
			}
			names[s.Type], types[s.GoType] = true, true
		}
		for _, s := range c.commands {
			if commands[s.goType] {
				t.Errorf("%v is in the command table twice", s.goType)
			}
			commands[s.goType] = true
		}
	}
	if len(names) != len(Events()) || len(commands) != len(theTable.commands) {
		t.Errorf("the lookups lost rows: %d events, %d commands", len(Events()), len(theTable.commands))
	}
}

func TestEventSpecs(t *testing.T) {
	for _, s := range Events() {
		if s.GoType.Kind() != reflect.Struct {
			t.Errorf("%s: %v is not a struct type; events are values", s.Type, s.GoType)
			continue
		}
		if got := reflect.Zero(s.GoType).Interface().(Event).EventType(); got != s.Type || s.Type == "" {
			t.Errorf("%s: its type's EventType is %q", s.Type, got)
		}
		if s.SchemaVersion < 1 {
			t.Errorf("%s: schema version %d; the first is 1", s.Type, s.SchemaVersion)
		}
		// Every stored version can be read: one upcaster per older version.
		for v := 1; v < s.SchemaVersion; v++ {
			if _, ok := s.upcasters[v]; !ok {
				t.Errorf("%s is at schema version %d but has no upcaster from version %d", s.Type, s.SchemaVersion, v)
			}
		}
		isCase := s.Aggregate == AggregateCase
		switch {
		case isCase && s.evolve == nil:
			t.Errorf("%s: a case event changes the case: give it an evolve", s.Type)
		case !isCase && (s.evolve != nil || s.party != nil || s.Stage != ""):
			t.Errorf("%s: only case events reach a stage, concern a party or evolve a case", s.Type)
		case s.Aggregate != AggregateCase && s.Aggregate != AggregateOrganisation && s.Aggregate != AggregateRevocation:
			t.Errorf("%s: unknown aggregate %q", s.Type, s.Aggregate)
		}
		if s.Stage != "" && !s.Stage.Valid() {
			t.Errorf("%s: unknown stage %q", s.Type, s.Stage)
		}
		f, hasPersonal := s.GoType.FieldByName("Personal")
		if hasPersonal != (s.Personal != nil) || (hasPersonal && f.Type.Elem() != s.Personal) {
			t.Errorf("%s: Personal is %v, but the type's Personal field is %v", s.Type, s.Personal, f.Type)
		}
	}
	if _, ok := EventSpecFor("SurvivorTeleported"); ok {
		t.Errorf("an unknown type must not be found")
	}
	if _, ok := EventSpecOf(&CaseClosed{}); ok {
		t.Errorf("a pointer to an event is not an event of the table")
	}
	if got := EventTypes(); len(got) != len(Events()) || got[0] != "SurvivorReferred" {
		t.Errorf("EventTypes() = %v", got)
	}
}

// The rows of the command table: every case command is decided, and its fields'
// tags are ones Complete knows, on fields of the right kind.
func TestCaseCommandRows(t *testing.T) {
	for typ, s := range theTable.commands {
		if s.decide == nil {
			t.Errorf("%v has no decide", typ)
		}
		if typ.Kind() != reflect.Struct {
			t.Errorf("%v is not a struct type; commands are values", typ)
			continue
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag, isOrg := f.Tag.Get("waymark"), f.Type == orgRefType
			switch {
			case tag == "":
			case tag == tagNewID && f.Type.Kind() == reflect.String:
			case (tag == tagOptionalOrg || tag == tagActorOrg) && isOrg:
			default:
				t.Errorf("%v.%s: waymark tag %q on a %v; a command's fields take new (string), optional or actor (OrgRef)", typ, f.Name, tag, f.Type)
			}
		}
	}
}

// Who performs each command that is not simply the owner's; the application turns it
// into the access it checks.
func TestPerformerOf(t *testing.T) {
	c := Fold(shown(packProvided, concernRaised, itemDispute))
	tests := []struct {
		cmd  Command
		want Performer
	}{
		{AddCaseNote{Text: "x"}, Performer{By: ByOwner}},
		{ReferToBank{Bank: bank}, Performer{By: ByOwner}},
		{RecordAccountOpened{Bank: bank2}, Performer{By: ByBank, Target: "org-bank-2"}},
		{RecordAccountDeclined{Bank: bank}, Performer{By: ByBank, Target: "org-bank"}},
		{MakeBankOffer{Bank: bank2}, Performer{By: ByBank, Target: "org-bank-2"}},
		{RecordDueDiligenceDecision{PackID: "p-1"}, Performer{By: ByBank, Target: "org-bank"}},
		{RecordDueDiligenceDecision{PackID: "p-unknown"}, Performer{By: ByBank}}, // no bank acts for an unknown pack
		{RaiseSafeguardingConcern{Bank: bank}, Performer{By: ByConcernParty}},
		{AcknowledgeSafeguardingConcern{ConcernID: "k-1"}, Performer{By: ByConcernParty}},
		{ResolveSafeguardingConcern{ConcernID: "k-1"}, Performer{By: ByConcernParty}},
		{RecordCreditDisputeOutcome{DisputeID: "d-1"}, Performer{By: ByBureau, Target: "d-1"}},
		{RecordDisputeItemOutcome{DisputeID: "d-2"}, Performer{By: ByBureau, Target: "d-2"}},
		{EraseSurvivorData{}, Performer{By: ByOwnerOrAdmin}},
	}
	for _, tt := range tests {
		got, ok := PerformerOf(tt.cmd, c)
		if !ok || got != tt.want {
			t.Errorf("PerformerOf(%T) = %+v, %v; want %+v", tt.cmd, got, ok, tt.want)
		}
	}
	for _, notCase := range []Command{RegisterOrganisation{}, &AddCaseNote{}, RevokeToken{}} {
		if got, ok := PerformerOf(notCase, c); ok || got.By != ByOwner {
			t.Errorf("PerformerOf(%T) = %+v, %v; want the owner and false", notCase, got, ok)
		}
	}
	if ChangesExistingCase(ReferSurvivor{}) || !ChangesExistingCase(AddCaseNote{}) || ChangesExistingCase(RegisterOrganisation{}) {
		t.Errorf("ChangesExistingCase: only a case command other than the referral")
	}
}

// The party an event concerns, from the event or from the case after it.
func TestPartyOf(t *testing.T) {
	withdrawn := ConsentWithdrawn{GrantID: "g-bank-2", At: at(6)}
	resolvedItem := item1Blocked
	acked := concernAcked
	after := Fold(shown(packProvided, concernRaised, acked, bureauGrant, itemDispute, resolvedItem, withdrawn))
	tests := []struct {
		e    Event
		want string
	}{
		{referred, ""},
		{bankGrant, "org-bank"},
		{withdrawn, "org-bank-2"},
		{offerB, "org-bank-2"},
		{declinedAll, ""},
		{acked, "org-bank"},
		{itemDispute, "org-bureau"},
		{resolvedItem, "org-bureau"},
		{CaseNoteAdded{NoteID: "n"}, ""},
		{OrganisationRegistered{Name: "x"}, ""},
		{&offerB, ""}, // a pointer is not an event of the table
	}
	for _, tt := range tests {
		if got := PartyOf(tt.e, after); got != tt.want {
			t.Errorf("PartyOf(%T) = %q, want %q", tt.e, got, tt.want)
		}
	}
}
