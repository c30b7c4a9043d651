package demo

// User is a demo user: serve --demo prints a token for each.
type User struct {
	Role         string
	Organisation string
	Subject      string
	EnvName      string
}

// Users are one user per role acting for the Mexico pilot's organisations, and the
// US caseworker, bank and bureau for the Debt Bondage Repair Act credit-repair flow.
func Users() []User {
	return []User{
		{"caseworker", ShelterCDMX, "ana.caseworker@" + ShelterCDMX, "CASEWORKER"},
		{"bank", BankMX, "bruno.bank@" + BankMX, "BANK"},
		{"bureau", BureauMX, "beatriz.bureau@" + BureauMX, "BUREAU"},
		{"auditor", "coalition-audit", "alma.auditor@coalition-audit", "AUDITOR"},
		{"analyst", "coalition-analytics", "andres.analyst@coalition-analytics", "ANALYST"},
		{"admin", "", "ada.admin", "ADMIN"},
		{"caseworker", NGOUS, "carla.caseworker@" + NGOUS, "CASEWORKER_US"},
		{"bank", BankUS, "ben.bank@" + BankUS, "BANK_US"},
		{"bureau", BureauUS, "bea.bureau@" + BureauUS, "BUREAU_US"},
	}
}
