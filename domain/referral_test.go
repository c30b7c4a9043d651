package domain

import "testing"

func TestReferSurvivor(t *testing.T) {
	valid := ReferSurvivor{
		ReferringOrganisation: shelter, Jurisdiction: "MX",
		Needs: []Need{NeedIDDocument, NeedBankAccount}, Barriers: []Barrier{BarrierNoID, BarrierNoIncome},
		Survivor: SurvivorDetails{FullName: "  Ana López ", Aliases: []string{" Anita ", " "}, DateOfBirth: "1998-07-14",
			Phone: " +52 55 0000 0000 ", Email: "ana@example.org", Address: "Calle 1"},
	}
	with := func(f func(*ReferSurvivor)) ReferSurvivor {
		c := valid
		f(&c)
		return c
	}
	tests := []caseTest{
		{name: "a shelter refers a survivor", when: valid, thenStage: StageReferral,
			then: events(SurvivorReferred{
				ReferringOrganisation: "org-shelter", Jurisdiction: "MX",
				Needs: []Need{NeedIDDocument, NeedBankAccount}, Barriers: []Barrier{BarrierNoID, BarrierNoIncome}, At: at(10),
				Personal: &SurvivorDetails{FullName: "Ana López", Aliases: []string{"Anita"}, DateOfBirth: "1998-07-14",
					Phone: "+52 55 0000 0000", Email: "ana@example.org", Address: "Calle 1"},
			})},
		{name: "an NGO refers with only a name", when: ReferSurvivor{ReferringOrganisation: ngo, Jurisdiction: "US", Survivor: SurvivorDetails{FullName: "B"}},
			then: events(SurvivorReferred{ReferringOrganisation: "org-ngo", Jurisdiction: "US", At: at(10), Personal: &SurvivorDetails{FullName: "B"}})},
		{name: "born today is not in the future", when: with(func(c *ReferSurvivor) { c.Survivor = SurvivorDetails{FullName: "Ana", DateOfBirth: "2026-03-02"} }),
			then: events(SurvivorReferred{ReferringOrganisation: "org-shelter", Jurisdiction: "MX",
				Needs: valid.Needs, Barriers: valid.Barriers, At: at(10), Personal: &SurvivorDetails{FullName: "Ana", DateOfBirth: "2026-03-02"}})},
		{name: "a bank cannot refer", when: with(func(c *ReferSurvivor) { c.ReferringOrganisation = bank }),
			wantErr: ErrWrongOrganisationKind, wantMsg: "only a shelter, an NGO or a government service can refer"},
		{name: "referring organisation without id", when: with(func(c *ReferSurvivor) { c.ReferringOrganisation = OrgRef{Kind: OrgShelter} }),
			wantErr: ErrInvalidInput},
		{name: "referring organisation not resolved", when: with(func(c *ReferSurvivor) { c.ReferringOrganisation = OrgRef{ID: "org-?"} }),
			wantErr: ErrUnknownOrganisation},
		{name: "empty jurisdiction", when: with(func(c *ReferSurvivor) { c.Jurisdiction = "" }), wantErr: ErrInvalidInput, wantMsg: "jurisdiction:"},
		{name: "lower-case jurisdiction", when: with(func(c *ReferSurvivor) { c.Jurisdiction = "mx" }), wantErr: ErrInvalidInput},
		{name: "three-letter jurisdiction", when: with(func(c *ReferSurvivor) { c.Jurisdiction = "MEX" }), wantErr: ErrInvalidInput},
		{name: "blank full name", when: with(func(c *ReferSurvivor) { c.Survivor.FullName = " \t" }),
			wantErr: ErrInvalidInput, wantMsg: "survivor.fullName: the survivor's full name is required"},
		{name: "unknown need", when: with(func(c *ReferSurvivor) { c.Needs = []Need{"money"} }), wantErr: ErrInvalidInput, wantMsg: "needs:"},
		{name: "duplicate need", when: with(func(c *ReferSurvivor) { c.Needs = []Need{NeedShelter, NeedShelter} }), wantErr: ErrInvalidInput, wantMsg: "twice"},
		{name: "unknown barrier", when: with(func(c *ReferSurvivor) { c.Barriers = []Barrier{"fear"} }), wantErr: ErrInvalidInput, wantMsg: "barriers:"},
		{name: "duplicate barrier", when: with(func(c *ReferSurvivor) { c.Barriers = []Barrier{BarrierNoID, BarrierNoID} }), wantErr: ErrInvalidInput},
		{name: "malformed date of birth", when: with(func(c *ReferSurvivor) { c.Survivor.DateOfBirth = "14/07/1998" }),
			wantErr: ErrInvalidInput, wantMsg: "survivor.dateOfBirth"},
		{name: "date of birth in the future", when: with(func(c *ReferSurvivor) { c.Survivor.DateOfBirth = "2026-03-03" }),
			wantErr: ErrInvalidInput, wantMsg: "future"},
	}
	runCaseTests(t, tests)
}
