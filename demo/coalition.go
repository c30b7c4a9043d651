// Package demo seeds a synthetic coalition and synthetic survivor journeys, all
// through the application layer's real commands. Every name, number and address here
// is invented.
package demo

import "github.com/waymark-org/waymark/domain"

// Organisation is one demo directory entry.
type Organisation struct {
	ID           string
	Name         string
	Kind         domain.OrganisationKind
	Jurisdiction string
	Region       string // state, province or city; demo only (not in the directory)
	Services     []domain.Service
	Programmes   []domain.Programme // the partner programmes a bank takes part in
}

// Demo organisation ids, stable so the README's examples can name them.
const (
	// The Mexico pilot: eleven shelters and NGOs in eleven states.
	ShelterCDMX           = "mx-refugio-esperanza"
	ShelterPuebla         = "mx-casa-aurora-puebla"
	NGOChiapas            = "mx-red-libertad-chiapas"
	NGOJalisco            = "mx-camino-claro-jalisco"
	ShelterNuevoLeon      = "mx-casa-alas-nuevo-leon"
	NGOOaxaca             = "mx-tejiendo-futuro-oaxaca"
	ShelterVeracruz       = "mx-refugio-mar-abierto-veracruz"
	NGOGuerrero           = "mx-red-sendero-guerrero"
	ShelterBajaCalifornia = "mx-casa-frontera-baja-california"
	ShelterQuintanaRoo    = "mx-puerto-seguro-quintana-roo"
	NGOChihuahua          = "mx-raices-chihuahua"

	// Its three partner banks, its credit bureau and its ID offices.
	BankMX       = "mx-banco-solidario"
	BankMX2      = "mx-banco-horizonte"
	BankMX3      = "mx-caja-popular-confianza"
	BureauMX     = "mx-buro-credito-demo"
	IDOfficeCDMX = "mx-registro-civil-cdmx" // birth certificates and CURP
	IDOfficeINE  = "mx-modulo-ine-demo"     // INE voter credentials

	// Elsewhere: the US (with a bank and a bureau, for the Debt Bondage Repair Act
	// flow), the UK (with a bank), Canada, Austria and Australia.
	NGOUS    = "us-freedom-path"
	BankUS   = "us-harbor-community-bank"
	BureauUS = "us-clearline-credit"
	NGOUK    = "uk-safe-harbour-trust"
	BankUK   = "uk-thistle-mutual-bank"
	NGOCA    = "ca-maple-refuge-network"
	NGOAT    = "at-verein-weg-frei"
	NGOAU    = "au-southern-cross-support"

	// The coalition itself: its audit team (auditors read every case) and its
	// analytics team (analysts read aggregates and the de-identified feed).
	CoalitionAudit     = "coalition-audit"
	CoalitionAnalytics = "coalition-analytics"
)

// Short names for the service and programme lists below.
const (
	svShelter   = domain.ServiceShelter
	svLegal     = domain.ServiceLegalAid
	svID        = domain.ServiceIDAssistance
	svTraining  = domain.ServiceFinancialTraining
	svTransport = domain.ServiceTransport
	svInterpret = domain.ServiceInterpretation
	svBanking   = domain.ServiceBanking

	pgInclusion = domain.ProgrammeSurvivorInclusion
	pgBasic     = domain.ProgrammeBasicAccount
	pgEducation = domain.ProgrammeFinancialEducation
)

func services(s ...domain.Service) []domain.Service       { return s }
func programmes(p ...domain.Programme) []domain.Programme { return p }

// Coalition is the demo directory: the Mexico pilot (eleven shelters and NGOs, three
// partner banks, a credit bureau, two ID offices) and organisations in the US, the
// UK, Canada, Austria and Australia. A fresh slice each call.
func Coalition() []Organisation {
	shelter, ngo, bank := domain.OrgShelter, domain.OrgNGO, domain.OrgBank
	return []Organisation{
		{ID: ShelterCDMX, Name: "Refugio Esperanza (CDMX)", Kind: shelter, Jurisdiction: "MX", Region: "Ciudad de México",
			Services: services(svShelter, svID, svTraining)},
		{ID: ShelterPuebla, Name: "Casa Aurora (Puebla)", Kind: shelter, Jurisdiction: "MX", Region: "Puebla",
			Services: services(svShelter, svLegal, svTransport)},
		{ID: NGOChiapas, Name: "Red Libertad (Chiapas)", Kind: ngo, Jurisdiction: "MX", Region: "Chiapas",
			Services: services(svLegal, svInterpret, svID)},
		{ID: NGOJalisco, Name: "Fundación Camino Claro (Jalisco)", Kind: ngo, Jurisdiction: "MX", Region: "Jalisco",
			Services: services(svLegal, svTraining, svID)},
		{ID: ShelterNuevoLeon, Name: "Casa Alas (Nuevo León)", Kind: shelter, Jurisdiction: "MX", Region: "Nuevo León",
			Services: services(svShelter, svTransport, svTraining)},
		{ID: NGOOaxaca, Name: "Colectivo Tejiendo Futuro (Oaxaca)", Kind: ngo, Jurisdiction: "MX", Region: "Oaxaca",
			Services: services(svInterpret, svID, svLegal)},
		{ID: ShelterVeracruz, Name: "Refugio Mar Abierto (Veracruz)", Kind: shelter, Jurisdiction: "MX", Region: "Veracruz",
			Services: services(svShelter, svLegal)},
		{ID: NGOGuerrero, Name: "Red Sendero (Guerrero)", Kind: ngo, Jurisdiction: "MX", Region: "Guerrero",
			Services: services(svLegal, svTransport, svInterpret)},
		{ID: ShelterBajaCalifornia, Name: "Casa Frontera Digna (Baja California)", Kind: shelter, Jurisdiction: "MX", Region: "Baja California",
			Services: services(svShelter, svInterpret, svLegal, svID)},
		{ID: ShelterQuintanaRoo, Name: "Puerto Seguro (Quintana Roo)", Kind: shelter, Jurisdiction: "MX", Region: "Quintana Roo",
			Services: services(svShelter, svTraining, svInterpret)},
		{ID: NGOChihuahua, Name: "Asociación Raíces (Chihuahua)", Kind: ngo, Jurisdiction: "MX", Region: "Chihuahua",
			Services: services(svLegal, svID, svTransport)},

		{ID: BankMX, Name: "Banco Solidario", Kind: bank, Jurisdiction: "MX", Region: "Ciudad de México",
			Services: services(svBanking), Programmes: programmes(pgInclusion, pgBasic)},
		{ID: BankMX2, Name: "Banco Horizonte (demo)", Kind: bank, Jurisdiction: "MX", Region: "Nuevo León",
			Services: services(svBanking, svTraining), Programmes: programmes(pgBasic, pgEducation)},
		{ID: BankMX3, Name: "Caja Popular Confianza (demo)", Kind: bank, Jurisdiction: "MX", Region: "Jalisco",
			Services: services(svBanking, svTraining), Programmes: programmes(pgInclusion, pgEducation)},
		{ID: BureauMX, Name: "Buró de Crédito (demo)", Kind: domain.OrgCreditBureau, Jurisdiction: "MX", Region: "Ciudad de México",
			Services: services(domain.ServiceCreditReporting)},
		{ID: IDOfficeCDMX, Name: "Registro Civil CDMX (demo)", Kind: domain.OrgIDOffice, Jurisdiction: "MX", Region: "Ciudad de México",
			Services: services(domain.ServiceIDIssuance)},
		{ID: IDOfficeINE, Name: "Módulo INE (demo)", Kind: domain.OrgIDOffice, Jurisdiction: "MX", Region: "Ciudad de México",
			Services: services(domain.ServiceIDIssuance)},

		{ID: NGOUS, Name: "Freedom Path (US)", Kind: ngo, Jurisdiction: "US", Region: "Texas",
			Services: services(svLegal, svTraining, svInterpret)},
		{ID: BankUS, Name: "Harbor Community Bank (demo)", Kind: bank, Jurisdiction: "US", Region: "Texas",
			Services: services(svBanking, svTraining), Programmes: programmes(pgInclusion, pgEducation)},
		{ID: BureauUS, Name: "ClearLine Credit Reporting (demo)", Kind: domain.OrgCreditBureau, Jurisdiction: "US", Region: "Illinois",
			Services: services(domain.ServiceCreditReporting)},
		{ID: NGOUK, Name: "Safe Harbour Trust (UK)", Kind: ngo, Jurisdiction: "GB", Region: "Greater Manchester",
			Services: services(svShelter, svTraining)},
		{ID: BankUK, Name: "Thistle Mutual Bank (demo)", Kind: bank, Jurisdiction: "GB", Region: "Scotland",
			Services: services(svBanking), Programmes: programmes(pgInclusion, pgBasic)},
		{ID: NGOCA, Name: "Maple Refuge Network (Canada)", Kind: ngo, Jurisdiction: "CA", Region: "Ontario",
			Services: services(svShelter, svLegal, svInterpret)},
		{ID: NGOAT, Name: "Verein Weg Frei (Wien)", Kind: ngo, Jurisdiction: "AT", Region: "Wien",
			Services: services(svLegal, svInterpret, svTraining)},
		{ID: NGOAU, Name: "Southern Cross Support Service (Australia)", Kind: ngo, Jurisdiction: "AU", Region: "New South Wales",
			Services: services(svShelter, svLegal, svTraining)},

		{ID: CoalitionAudit, Name: "Coalition audit team (demo)", Kind: domain.OrgCoalition, Jurisdiction: "MX", Region: "Ciudad de México"},
		{ID: CoalitionAnalytics, Name: "Coalition analytics team (demo)", Kind: domain.OrgCoalition, Jurisdiction: "MX", Region: "Ciudad de México"},
	}
}

// referrers are the organisations that refer survivors, weighted by how many journeys
// each has: most are in the Mexico pilot, the largest shelters first.
var referrers = []struct {
	org    string
	weight int
}{
	{ShelterCDMX, 40}, {ShelterPuebla, 22}, {NGOChiapas, 20}, {NGOJalisco, 18}, {ShelterNuevoLeon, 16},
	{NGOOaxaca, 14}, {ShelterVeracruz, 14}, {NGOGuerrero, 12}, {ShelterBajaCalifornia, 16},
	{ShelterQuintanaRoo, 12}, {NGOChihuahua, 10},
	{NGOUS, 16}, {NGOUK, 9}, {NGOCA, 4}, {NGOAT, 4}, {NGOAU, 4},
}

// banksIn and bureauIn say which partner banks and credit bureau serve a jurisdiction.
func banksIn(jurisdiction string) []string {
	switch jurisdiction {
	case "MX":
		return []string{BankMX, BankMX2, BankMX3}
	case "US":
		return []string{BankUS}
	case "GB":
		return []string{BankUK}
	}
	return nil
}

func bureauIn(jurisdiction string) string {
	switch jurisdiction {
	case "MX":
		return BureauMX
	case "US":
		return BureauUS
	}
	return ""
}
