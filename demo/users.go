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
// Subjects are opaque ids, as every token's must be: a subject is written into the
// metadata of every event its holder records, so a staff member's name must never be
// one.
func Users() []User {
	return []User{
		{"caseworker", ShelterCDMX, "demo-user-cw-mx", "CASEWORKER"},
		{"bank", BankMX, "demo-user-bank-mx", "BANK"},
		{"bureau", BureauMX, "demo-user-bureau-mx", "BUREAU"},
		{"auditor", CoalitionAudit, "demo-user-auditor", "AUDITOR"},
		{"analyst", CoalitionAnalytics, "demo-user-analyst", "ANALYST"},
		{"admin", "", "demo-user-admin", "ADMIN"},
		{"caseworker", NGOUS, "demo-user-cw-us", "CASEWORKER_US"},
		{"bank", BankUS, "demo-user-bank-us", "BANK_US"},
		{"bureau", BureauUS, "demo-user-bureau-us", "BUREAU_US"},
	}
}
