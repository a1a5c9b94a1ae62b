package features

import "testing"

func TestNumberRoles(t *testing.T) {
	type want struct{ text, value, unit, role, noun, bound string }
	tests := []struct {
		text string
		want []want
	}{
		{"killing at least seven people and injuring 42", []want{{"seven", "7", "", RoleDead, "people", ""}, {"42", "42", "", RoleInjured, "", ""}}},
		{"the toll rose to 11 on Tuesday, with 45 people injured", []want{{"11", "11", "", RoleDead, "", ""}, {"45", "45", "", RoleInjured, "people", ""}}},
		{"between 50 and 60 people were killed", []want{{"50", "50", "", RoleDead, "people", BoundLow}, {"60", "60", "", RoleDead, "people", BoundHigh}}},
		{"a 60-meter wall and a six-mile run", []want{{"60-meter", "60", "m", "", "wall", ""}, {"six-mile", "6", "mi", "", "run", ""}}},
		{"a 4-year-old girl; aged 72", []want{{"4", "4", "", RoleAge, "", ""}, {"72", "72", "", RoleAge, "", ""}}},
		{"a magnitude 6.3 quake", []want{{"6.3", "6.3", "", RoleMagnitude, "quake", ""}}},
		{"one city bus, one of the victims, no one; one person died", []want{{"one", "1", "", RoleDead, "person", ""}}},
		{"siete muertos y zwölf Verletzte, trois blessés, семь человек погибли", []want{
			{"siete", "7", "", RoleDead, "", ""}, {"zwölf", "12", "", RoleInjured, "", ""},
			{"trois", "3", "", RoleInjured, "", ""}, {"семь", "7", "", RoleDead, "человек", ""}}},
		{"Sept. 5 and once more", []want{{"5", "5", "", "", "", ""}}},
		// A capital changes a Cyrillic letter's first byte, and capitals
		// its last.
		{"Семь человек погибли. Шість людей загинули. DREI Tote.", []want{
			{"Семь", "7", "", RoleDead, "человек", ""}, {"Шість", "6", "", RoleDead, "людей", ""},
			{"DREI", "3", "", RoleDead, "", ""}}},
	}
	for _, tt := range tests {
		var got []want
		for _, n := range Numbers(tt.text) {
			got = append(got, want{n.Text, n.Value, n.Unit, n.Role, n.Noun, n.Bound})
		}
		if len(got) != len(tt.want) {
			t.Errorf("%q: got %+v, want %+v", tt.text, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: number %d = %+v, want %+v", tt.text, i, got[i], tt.want[i])
			}
		}
	}
}
