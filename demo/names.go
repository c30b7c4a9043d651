package demo

import (
	"fmt"
	"strings"

	"github.com/waymark-org/waymark/domain"
)

// Fictitious name parts, numbers and addresses. Combinations never name a real
// person; phone numbers come from ranges kept for fiction (555-01xx in North America,
// 07700 900xxx in the UK, 0491 570 1xx in Australia) or from unassigned blocks, and
// e-mail addresses use example.org.
var (
	givenNamesMX = []string{"Alma", "Brisa", "Citlali", "Dulce", "Elena", "Flor", "Gala", "Iris", "Jade", "Luz",
		"Marisol", "Nayeli", "Oriana", "Paloma", "Rocío", "Selene", "Tania", "Xóchitl", "Yara", "Zoe",
		"Mateo", "Iker", "Joaquín", "Emiliano", "Itzel", "Ximena", "Abril", "Renata"}
	familyNamesMX = []string{"Arenas", "Bravo", "Cisneros", "Duarte", "Escamilla", "Fuentes", "Galindo", "Herrera",
		"Ibarra", "Juárez", "Lira", "Montiel", "Navarro", "Olvera", "Pacheco", "Quintero", "Robles", "Solís",
		"Trejo", "Valdivia", "Zamora", "Ortega", "Medina", "Carrasco"}
	givenNamesIntl = []string{"Amara", "Bianca", "Daria", "Esi", "Farah", "Grace", "Hana", "Ioana", "Joy", "Kemi",
		"Lina", "Mirela", "Nadia", "Olena", "Priya", "Rosa", "Sofia", "Tamar", "Vesna", "Yasmin", "Daniel", "Tomas"}
	familyNamesIntl = []string{"Adeyemi", "Balan", "Costa", "Dumitru", "Eze", "Farouk", "Georgiou", "Haddad",
		"Ivanova", "Jovanovic", "Kovac", "Lindqvist", "Mensah", "Novak", "Okafor", "Petrova", "Rahman", "Santos"}
	streetsMX = []string{"Calle Ficticia", "Avenida Inventada", "Callejón Demo", "Privada Ejemplo", "Andador Imaginario"}

	// Support staff who accompany survivors to branch visits (sealed in the pack).
	staffNames = []string{"Lucía Ortega Demo", "Mariana Salas Demo", "Rebeca Torres Demo", "Daniela Rivas Demo",
		"Sofía Cárdenas Demo", "Andrea Luna Demo", "Gabriela Núñez Demo", "Patricia Vega Demo", "Carmen Ruiz Demo",
		"Teresa Campos Demo", "Julia Méndez Demo", "Noemí Aguilar Demo", "Sarah Collins Demo", "Megan Price Demo",
		"Fiona Baird Demo", "Chloé Martin Demo", "Katrin Huber Demo", "Olivia Reid Demo"}

	creditorsMX = []string{"Préstamos Rápidos Ficticios SA", "Tienda Crédito Ejemplo", "Financiera Imaginaria SOFOM",
		"Telefonía Demo SA", "Mueblería Inventada", "Microcréditos Ejemplo AC"}
	creditorsUS = []string{"QuickCash Demo LLC", "Example Telecom Inc", "Fictional Auto Finance", "Sample Retail Card",
		"Placeholder Payday Loans"}
)

func (w *walker) pick(xs []string) string { return xs[w.rng.IntN(len(xs))] }

// survivor invents the survivor's personal details (sealed by the application layer).
func (w *walker) survivor() domain.SurvivorDetails {
	j := w.org.Jurisdiction
	given, family := givenNamesIntl, familyNamesIntl
	if j == "MX" || (j == "US" && w.chance(60)) {
		given, family = givenNamesMX, familyNamesMX
	}
	name := w.pick(given) + " " + w.pick(family)
	if j == "MX" {
		name += " " + w.pick(familyNamesMX) // two family names
	}
	d := domain.SurvivorDetails{
		FullName:    name,
		DateOfBirth: fmt.Sprintf("%d-%02d-%02d", 1976+w.rng.IntN(30), 1+w.rng.IntN(12), 1+w.rng.IntN(28)),
		Phone:       w.phone(),
		Address:     w.address(),
	}
	if w.chance(45) {
		d.Email = fmt.Sprintf("%s.%d@example.org", ascii(strings.Fields(name)[0]), 100+w.rng.IntN(900))
	}
	if w.chance(15) {
		d.Aliases = []string{w.pick(given)} // the name she was made to use
	}
	return d
}

func (w *walker) phone() string {
	switch w.org.Jurisdiction {
	case "US", "CA":
		return fmt.Sprintf("+1 %d 555 01%02d", 200+w.rng.IntN(700), w.rng.IntN(100))
	case "GB":
		return fmt.Sprintf("+44 7700 900%03d", w.rng.IntN(1000))
	case "AU":
		return fmt.Sprintf("+61 491 570 1%02d", w.rng.IntN(60))
	case "AT":
		return fmt.Sprintf("+43 1 0000 %04d", w.rng.IntN(10000))
	}
	return fmt.Sprintf("+52 55 0000 %04d", w.rng.IntN(10000))
}

func (w *walker) address() string {
	n := 1 + w.rng.IntN(300)
	if w.org.Jurisdiction == "MX" {
		return fmt.Sprintf("%s %d, Colonia Demo, %s", w.pick(streetsMX), n, w.org.Region)
	}
	return fmt.Sprintf("%d Example Street, Demo Town, %s", n, w.org.Region)
}

// staffFor names the support staff of the journey's organisation: a fixed few per
// organisation, so the same people turn up on its cases.
func staffFor(orgIndex int) []string {
	out := make([]string, 3)
	for k := range out {
		out[k] = staffNames[(orgIndex*3+k)%len(staffNames)]
	}
	return out
}

// documentNumber invents a document number that cannot be mistaken for a real one.
func (w *walker) documentNumber(kind domain.DocumentKind) string {
	switch kind {
	case domain.DocCURP:
		return fmt.Sprintf("DEMO-CURP-%08d", w.rng.IntN(1e8))
	case domain.DocINE:
		return fmt.Sprintf("DEMO-INE-%010d", w.rng.IntN(1e10))
	case domain.DocBirthCertificate:
		return fmt.Sprintf("DEMO-ACTA-%07d", w.rng.IntN(1e7))
	}
	return fmt.Sprintf("DEMO-%s-%08d", strings.ToUpper(string(kind[:2])), w.rng.IntN(1e8))
}

// ascii folds the accented letters of the demo names to ASCII, lower case.
func ascii(s string) string {
	return strings.ToLower(strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n",
		"Á", "a", "É", "e", "Í", "i", "Ó", "o", "Ú", "u", "Ñ", "n").Replace(s))
}

// contactRules are the safe-contact rules shelters most often set.
var contactRules = []domain.SetSafeContactRules{
	{Allowed: channels(domain.ChannelThroughShelter), Forbidden: channels(domain.ChannelPost, domain.ChannelPhone, domain.ChannelSMS),
		Notes: "Only through the shelter. Never by post: the old address is known to the people who exploited her."},
	{Allowed: channels(domain.ChannelPhone, domain.ChannelThroughShelter), Forbidden: channels(domain.ChannelPost),
		Notes: "Call only the shelter's mobile line on weekdays; never by post to the old address."},
	{Allowed: channels(domain.ChannelInPerson, domain.ChannelThroughShelter), Forbidden: channels(domain.ChannelPhone, domain.ChannelSMS, domain.ChannelEmail, domain.ChannelPost),
		Notes: "Her phone may be monitored: in person at the shelter only."},
	{Allowed: channels(domain.ChannelSMS, domain.ChannelPhone), Forbidden: channels(domain.ChannelPost, domain.ChannelEmail),
		Notes: "SMS first, with no organisation names in the text; wait for her reply before calling."},
	{Allowed: channels(domain.ChannelEmail, domain.ChannelThroughShelter), Forbidden: channels(domain.ChannelPost, domain.ChannelInPerson),
		Notes: "E-mail to the address the shelter set up with her; no visits at her workplace."},
	{Allowed: channels(domain.ChannelPhone), Forbidden: channels(domain.ChannelPost, domain.ChannelInPerson),
		Notes: "Phone only, 10:00-16:00; if someone else answers, end the call without leaving a message."},
}

// movedOnRules replace the first rules once she lives independently.
var movedOnRules = domain.SetSafeContactRules{
	Allowed:   channels(domain.ChannelPhone, domain.ChannelSMS, domain.ChannelEmail, domain.ChannelPost),
	Forbidden: channels(domain.ChannelInPerson),
	Notes:     "She now lives independently: post only to the new address, never to the old one; no home visits.",
}

func channels(c ...domain.ContactChannel) []domain.ContactChannel { return c }

// Reasons and notes, none of them about a real person.
var (
	intakeNotes = []string{
		"Intake interview done with an interpreter; she wants to open an account to receive her wages safely.",
		"Intake interview done; she prefers to be called by her first name only.",
		"First meeting at the shelter; explained what the coalition does and how consent works.",
		"Intake done; she asked that no letters are sent to her family's address.",
	}
	idRefusals = []coded[domain.RefusalReason]{
		{domain.RefusalMissingSupportingDocuments, "birth record not found in the state registry (demo)"},
		{domain.RefusalIdentityNotVerified, "the registry asked for a second witness (demo)"},
		{domain.RefusalIdentityNotVerified, "name on the birth record does not match (demo)"},
		{domain.RefusalAuthorityUnavailable, "appointment cancelled by the office; no new date (demo)"},
	}
	declineAllReasons = []coded[domain.DeclineReason]{
		{domain.DeclineNotReady, "she prefers to wait until she has stable housing"},
		{domain.DeclineFeesTooHigh, "worried about monthly fees once the programme period ends"},
		{domain.DeclineSafetyConcern, "the nearest branch is close to her former workplace"},
		{domain.DeclineNotReady, "she wants to keep receiving her income in cash for now"},
	}
	packRejections = []coded[domain.PackRejectionReason]{
		{domain.PackInsufficientEvidence, "the letter was not on the organisation's letterhead"},
		{domain.PackVisitNotCompleted, "the branch could not confirm the accompanying staff member's identity"},
		{domain.PackRejectionOther, "the correspondence address is outside the branch's area"},
	}
	accountDeclines = []coded[domain.AccountDeclineReason]{
		{domain.AccountInsufficientDocumentation, "could not verify the address for correspondence (demo)"},
		{domain.AccountDeclineOther, "internal risk review not passed (demo)"},
		{domain.AccountProductUnavailable, "product not available at the chosen branch (demo)"},
	}
	itemRefusals = []coded[domain.DisputeReason]{
		{domain.DisputeInsufficientEvidence, "the determination letter does not name this creditor"},
		{domain.DisputeNotTraffickingRelated, "the item predates the period of trafficking stated in the letter"},
		{domain.DisputeItemNotFound, "the account reference does not match the bureau's records"},
	}
)

// coded is a reason as it is recorded: a code the dashboards count, and a text saying
// more (sealed, like all free text).
type coded[T ~string] struct {
	code T
	text string
}

func pickReason[T ~string](w *walker, reasons []coded[T]) coded[T] {
	return reasons[w.rng.IntN(len(reasons))]
}
