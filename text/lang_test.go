package text

import "testing"

func TestLanguage(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"english", "The ferry capsized in heavy swell off the coast on Sunday, and the coast guard said that rescue boats were searching the water for the people who were still missing after the accident.", "en"},
		{"spanish", "El ferry volcó por el fuerte oleaje frente a la costa el domingo, y la guardia costera dijo que las lanchas de rescate buscaban en el agua a las personas que seguían desaparecidas tras el accidente.", "es"},
		{"german", "Die Fähre ist am Sonntag vor der Küste bei hohem Seegang gekentert, und die Küstenwache sagte, dass die Rettungsboote im Wasser nach den Menschen suchen, die nach dem Unglück noch vermisst werden.", "de"},
		{"french", "Le ferry a chaviré dans une forte houle au large de la côte dimanche, et les garde-côtes ont dit que les bateaux de secours cherchaient dans l'eau les personnes qui sont toujours portées disparues.", "fr"},
		{"italian", "Il traghetto si è capovolto per il mare grosso al largo della costa domenica, e la guardia costiera ha detto che le barche di soccorso cercano nell'acqua le persone che sono ancora disperse dopo l'incidente.", "it"},
		{"russian", "Паром перевернулся во время сильного волнения у побережья в воскресенье, и береговая охрана сообщила, что спасатели ищут в воде людей, которые всё ещё считаются пропавшими.", "ru"},
		{"ukrainian", "Пором перекинувся під час сильного хвилювання біля узбережжя в неділю, і берегова охорона повідомила, що рятувальники шукають у воді людей, які досі вважаються зниклими.", "uk"},
		{"japanese", "日曜日、沿岸沖で高波によりフェリーが転覆し、沿岸警備隊は救助艇が行方不明者を捜索していると発表した。乗客の多くは救助されたが、まだ見つかっていない人もいる。", "ja"},
		{"too short", "The ferry capsized.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Language(Analyze(tt.text, nil)); got != tt.want {
				t.Errorf("Language = %q, want %q", got, tt.want)
			}
		})
	}
}
