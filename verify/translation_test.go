package verify

import (
	"path/filepath"
	"strings"
	"testing"

	retold "github.com/retold/retold"
	"github.com/retold/retold/internal/lexicontest"
	"github.com/retold/retold/lexicon"
)

// ferryDictionary is a Spanish-English dictionary written for the ferry
// fixtures, holding the base forms of their words as a real one would:
// the texts inflect them ("muertos", "volcó"), so not every word finds
// its entry, but enough do for the measure to read them
// (TranslationMinCoverage).
var ferryDictionary = []lexicontest.Entry{
	{"pasajero", "pasajero\npassenger"}, {"volcar", "volcar\ncapsize, overturn"}, {"oleaje", "oleaje\nswell, surf"},
	{"costa", "costa\ncoast, shore"}, {"domingo", "domingo\nSunday"}, {"muerto", "muerto\ndead"},
	{"desaparecido", "desaparecido\nmissing"}, {"guardia", "guardia\nguard"}, {"tripulante", "tripulante\ncrew member"},
	{"llamada", "llamada\ncall"}, {"socorro", "socorro\nhelp, distress"}, {"kilómetro", "kilómetro\nkilometre"},
	{"norte", "norte\nnorth"}, {"puerto", "puerto\nport, harbour"}, {"rescate", "rescate\nrescue"},
	{"helicóptero", "helicóptero\nhelicopter"}, {"agua", "agua\nwater"}, {"persona", "persona\nperson, people"},
	{"mediodía", "mediodía\nmidday, noon"}, {"portavoz", "portavoz\nspokesman"}, {"buscar", "buscar\nsearch, look for"},
	{"parar", "parar\nstop"}, {"posibilidad", "posibilidad\nchance, possibility"}, {"encontrar", "encontrar\nfind"},
	{"vida", "vida\nlife"}, {"periodista", "periodista\nreporter, journalist"}, {"superviviente", "superviviente\nsurvivor"},
	{"repentino", "repentino\nsudden"}, {"coche", "coche\ncar"}, {"cubierta", "cubierta\ndeck"},
	{"inferior", "inferior\nlower"}, {"salón", "salón\nlounge, hall"}, {"minuto", "minuto\nminute"},
	{"construir", "construir\nbuild"}, {"inspección", "inspección\ninspection"}, {"seguridad", "seguridad\nsafety, security"},
	{"marzo", "marzo\nMarch"}, {"comunicado", "comunicado\nstatement"}, {"ministra", "ministra\nminister"},
	{"bandera", "bandera\nflag"}, {"prometer", "prometer\npromise"}, {"investigación", "investigación\ninvestigation"},
	{"desastre", "desastre\ndisaster"}, {"familia", "familia\nfamily"}, {"noche", "noche\nnight"},
	{"pescador", "pescador\nfisherman"}, {"tarde", "tarde\nafternoon"},
	{"decena", "decena\nten"},
	{"muelle", "muelle\nquay, pier"},
	{"esperar", "esperar\nwait, hope"},
	{"noticia", "noticia\nnews"},
	{"naufragio", "naufragio\nshipwreck"},
	{"barco", "barco\nship, boat"},
	{"naviera", "naviera\nshipping company"},
	{"llevar", "llevar\ncarry, take"},
	{"bordo", "bordo\nboard"},
	{"vuelta", "vuelta\nturn, return"},
	{"grueso", "grueso\nthick, heavy"},
	{"distancia", "distancia\ndistance"},
	{"último", "último\nlast"},
	{"balance", "balance\nbalance, count"},
	{"morir", "morir\ndie"},
	{"seguir", "seguir\nfollow, remain"},
	{"otro", "otro\nother"},
	{"revisar", "revisar\ncheck, search"},
	{"metro", "metro\nmetre"},
	{"esperanza", "esperanza\nhope"},
	{"afirmar", "afirmar\naffirm, say"},
	{"zona", "zona\nzone, area"},
	{"salir", "salir\nleave, go out"},
	{"propio", "propio\nown"},
	{"embarcación", "embarcación\nboat, vessel"},
	{"ayudar", "ayudar\nhelp"},
	{"búsqueda", "búsqueda\nsearch"},
	{"mientras", "mientras\nwhile"},
	{"polideportivo", "polideportivo\nsports hall"},
	{"cercano", "cercano\nnear"},
	{"acoger", "acoger\nshelter, take in"},
	{"familiar", "familiar\nrelative"},
	{"asegurar", "asegurar\nassure, say"},
	{"buque", "buque\nship, vessel"},
	{"superar", "superar\npass, overcome"},
	{"técnico", "técnico\ntechnical"},
	{"jefa", "jefa\nchief, head"},
	{"gobierno", "gobierno\ngovernment"},
	{"viajar", "viajar\ntravel, fly"},
	{"anunciar", "anunciar\nannounce"},
	{"transportar", "transportar\ncarry, transport"},
	{"madrugada", "madrugada\ndawn, early morning"},
	{"sacar", "sacar\npull, take out"},
	{"decir", "decir\nsay, tell"},
	{"sacudida", "sacudida\nlurch, jolt"},
	{"soltar", "soltar\nbreak loose, release"},
	{"inundar", "inundar\nflood"},
	{"pasar", "pasar\npass, spend"},
	{"operadora", "operadora\noperator"},
	{"ordenar", "ordenar\norder"},
	{"izar", "izar\nhoist, fly"},
	{"asta", "asta\nmast, pole"},
	{"completo", "completo\nfull, complete"},
	{"primera", "primera\nfirst"},
	{"fuerte", "fuerte\nstrong, heavy"},
	{"frente", "frente\noff, front"},
	{"lancha", "lancha\nboat"},
	{"dos", "dos\ntwo"},
	{"hacia", "hacia\ntoward"},
	{"lado", "lado\nside"},
}

// TestTranslationMeasureTellsTranslationFromIndependentReport: the
// Spanish translation of the wire story follows it sentence by sentence;
// a Spanish report of its own shares the same figures, names and quote.
// With a dictionary, the measure puts the translation over the version
// line and the independent report under it; with none, the facts decide.
func TestTranslationMeasureTellsTranslationFromIndependentReport(t *testing.T) {
	read := func(name string) retold.Document { return reuseFixture(t, name) }
	dir := t.TempDir()
	lexicontest.Write(t, dir, "freedict-spa-eng", ferryDictionary)
	withDict, err := lexicon.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	empty, _ := lexicon.Open(filepath.Join(dir, "absent"))

	line := DefaultRule.CrossMinTranslation
	c := New(&Options{Align: DefaultOptions.Align, Rule: DefaultRule, Lexicon: withDict})
	wire, tr, ind := read("wire"), read("translation"), read("indep-es")
	rt, ri := c.Compare(wire, tr), c.Compare(wire, ind)
	if !rt.Signals.TranslationRead || rt.Signals.Translation < line || rt.Verdict != retold.Version {
		t.Errorf("translation: measure %.3f (read %v), %s; want >= %.2f and version", rt.Signals.Translation, rt.Signals.TranslationRead, rt.Verdict, line)
	}
	if !ri.Signals.TranslationRead || ri.Signals.Translation >= line || ri.Verdict != retold.SameEvent {
		t.Errorf("independent report: measure %.3f, %s; want < %.2f and same-event", ri.Signals.Translation, ri.Verdict, line)
	}
	if v, _ := c.Judge(c.Profile(wire), c.Profile(tr)); v != retold.Version {
		t.Errorf("Judge on the translation: %s", v)
	}

	// Without a dictionary, or with one that knows too few of the words
	// (TranslationMinCoverage), the measure does not read Spanish and the
	// facts decide: the translation keeps every fact in order.
	tinyDir := t.TempDir()
	lexicontest.Write(t, tinyDir, "freedict-spa-eng", ferryDictionary[:5])
	tiny, _ := lexicon.Open(tinyDir)
	for name, lex := range map[string]*lexicon.Lexicon{"no dictionary": empty, "a tiny dictionary": tiny} {
		c0 := New(&Options{Align: DefaultOptions.Align, Rule: DefaultRule, Lexicon: lex})
		r0 := c0.Compare(wire, tr)
		if r0.Signals.TranslationRead || r0.Verdict != retold.Version {
			t.Errorf("%s: read %v, %s (%s); want unread and a version on its facts", name, r0.Signals.TranslationRead, r0.Verdict, r0.Reason)
		}
	}
}

// TestTranslationMeasureReadsALongTextsStart: the measure's table is
// bounded (maxTranslationSentences on each side), so two very long texts
// in two languages cost what their first pages cost, and a translation
// is still told by them.
func TestTranslationMeasureReadsALongTextsStart(t *testing.T) {
	dir := t.TempDir()
	lexicontest.Write(t, dir, "freedict-spa-eng", ferryDictionary)
	lex, err := lexicon.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := New(&Options{Align: DefaultOptions.Align, Rule: DefaultRule, Lexicon: lex})
	wire, tr := reuseFixture(t, "wire"), reuseFixture(t, "translation")
	long := func(d retold.Document) retold.Document {
		d.Text = strings.Repeat(d.Text+"\n", 300) // 2,100 sentences
		return d
	}
	a, b := c.Profile(long(wire)), c.Profile(long(tr))
	if n := len(a.Text.Sentences); n < 2000 {
		t.Fatalf("%d sentences, want 2,100", n)
	}
	m, read := DefaultRule.translation(a, b, lex)
	if !read || m < DefaultRule.CrossMinTranslation {
		t.Errorf("measure %.3f (read %v), want >= %.2f", m, read, DefaultRule.CrossMinTranslation)
	}
	if w := a.translationWords(lex); len(w.sent) != maxTranslationSentences {
		t.Errorf("%d sentences read, want %d", len(w.sent), maxTranslationSentences)
	}
}
