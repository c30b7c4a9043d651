package demo

// User is a demo user: serve --demo prints a token for each.
type User struct {
	Role         string
	Organisation string
	Subject      string
	EnvName      string
}

// Users are one user per role, acting for the demo coalition's organisations.
func Users() []User {
	return []User{
		{"caseworker", ShelterCDMX, "ana.caseworker@" + ShelterCDMX, "CASEWORKER"},
		{"bank", BankMX, "bruno.bank@" + BankMX, "BANK"},
		{"bureau", BureauMX, "beatriz.bureau@" + BureauMX, "BUREAU"},
		{"auditor", "coalition-audit", "alma.auditor@coalition-audit", "AUDITOR"},
		{"analyst", "coalition-analytics", "andres.analyst@coalition-analytics", "ANALYST"},
		{"admin", "", "ada.admin", "ADMIN"},
	}
}
