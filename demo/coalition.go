// Package demo seeds a small synthetic coalition and synthetic survivor journeys, all
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
	Services     []domain.Service
}

// Demo organisation ids, stable so the README's examples can name them.
const (
	ShelterCDMX   = "mx-refugio-esperanza"
	ShelterPuebla = "mx-casa-aurora-puebla"
	NGOChiapas    = "mx-red-libertad-chiapas"
	BankMX        = "mx-banco-solidario"
	BureauMX      = "mx-buro-credito-demo"
	IDOfficeCDMX  = "mx-registro-civil-cdmx"
	NGOUS         = "us-freedom-path"
	NGOUK         = "uk-safe-harbour-trust"
)

// Coalition is the demo directory: a Mexico pilot and one organisation each in the
// US and the UK.
func Coalition() []Organisation {
	return []Organisation{
		{ShelterCDMX, "Refugio Esperanza (CDMX)", domain.OrgShelter, "MX",
			[]domain.Service{domain.ServiceShelter, domain.ServiceIDAssistance, domain.ServiceFinancialTraining}},
		{ShelterPuebla, "Casa Aurora (Puebla)", domain.OrgShelter, "MX",
			[]domain.Service{domain.ServiceShelter, domain.ServiceLegalAid, domain.ServiceTransport}},
		{NGOChiapas, "Red Libertad (Chiapas)", domain.OrgNGO, "MX",
			[]domain.Service{domain.ServiceLegalAid, domain.ServiceInterpretation, domain.ServiceIDAssistance}},
		{BankMX, "Banco Solidario", domain.OrgBank, "MX",
			[]domain.Service{domain.ServiceBanking}},
		{BureauMX, "Buró de Crédito (demo)", domain.OrgCreditBureau, "MX",
			[]domain.Service{domain.ServiceCreditReporting}},
		{IDOfficeCDMX, "Registro Civil CDMX (demo)", domain.OrgIDOffice, "MX",
			[]domain.Service{domain.ServiceIDIssuance}},
		{NGOUS, "Freedom Path (US)", domain.OrgNGO, "US",
			[]domain.Service{domain.ServiceLegalAid, domain.ServiceFinancialTraining}},
		{NGOUK, "Safe Harbour Trust (UK)", domain.OrgNGO, "GB",
			[]domain.Service{domain.ServiceShelter, domain.ServiceFinancialTraining}},
	}
}

// Fictitious name parts; combinations never name a real survivor.
var (
	givenNames  = []string{"Alma", "Brisa", "Citlali", "Dulce", "Elena", "Flor", "Gala", "Iris", "Jade", "Luz", "Marisol", "Nayeli", "Oriana", "Paloma", "Rocío", "Selene", "Tania", "Xóchitl", "Yara", "Zoe", "Mateo", "Iker", "Joaquín", "Emiliano"}
	familyNames = []string{"Arenas", "Bravo", "Cisneros", "Duarte", "Escamilla", "Fuentes", "Galindo", "Herrera", "Ibarra", "Juárez", "Lira", "Montiel", "Navarro", "Olvera", "Pacheco", "Quintero", "Robles", "Solís", "Trejo", "Valdivia"}
	streets     = []string{"Calle Ficticia", "Avenida Inventada", "Callejón Demo", "Privada Ejemplo"}
)
