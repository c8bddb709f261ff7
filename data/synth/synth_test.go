package synth

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gorbert/gorbert/data/corpus"
	"github.com/gorbert/gorbert/data/tasks"
)

var goroot struct {
	once sync.Once
	root string
	pkgs []Package
	err  error
}

// gorootPackages loads $(go env GOROOT)/src once, skipping the test when it
// cannot be read.
func gorootPackages(t *testing.T) (string, []Package) {
	t.Helper()
	goroot.once.Do(func() {
		if goroot.root, goroot.err = corpus.GoRootSrc(); goroot.err == nil {
			goroot.pkgs, goroot.err = LoadPackages(goroot.root)
		}
	})
	if goroot.err != nil {
		t.Skipf("GOROOT/src is not readable: %v", goroot.err)
	}
	return goroot.root, goroot.pkgs
}

func TestWords(t *testing.T) {
	got := Words("Read reads io.Reader's data (up to len(p) bytes).")
	want := []string{"Read", "reads", "io", ".", "Reader", "'", "s", "data", "(", "up", "to", "len", "(", "p", ")", "bytes", ")", "."}
	if !slices.Equal(got, want) {
		t.Errorf("Words = %q, want %q", got, want)
	}
}

func TestTag(t *testing.T) {
	p := Package{Path: "bufio", Name: "bufio", Idents: map[string]string{"Reader": KindType, "NewReader": KindFunc, "ErrTooLong": KindValue, "Read": KindFunc}}
	ix := NewIndex([]Package{p, {Path: "io", Name: "io", Idents: map[string]string{"Reader": KindType, "EOF": KindValue}}})
	words := Words("NewReader returns a Reader that wraps an io.Reader; at EOF it returns ErrTooLong, not io.Writer.")
	got := Tag(words, p, ix)
	want := map[string]string{"NewReader": "B-FUNC", "Reader": "B-TYPE", "io": "B-PKG", "ErrTooLong": "B-VALUE"}
	for i, w := range words {
		exp := "O"
		if tag, ok := want[w]; ok {
			exp = tag
		}
		if w == "io" && words[i+2] == "Writer" { // io has no Writer in the index
			exp = "O"
		}
		if got[i] != exp {
			t.Errorf("word %d %q tagged %s, want %s", i, w, got[i], exp)
		}
	}
}

func TestAnswerClause(t *testing.T) {
	for _, c := range []struct{ name, sentence, q, a string }{
		{"Abs", "Abs returns the absolute value of x.", "What does Abs return?", "the absolute value of x"},
		{"Abs", "Abs returns x, or -x if x < 0.", "What does Abs return?", "x"},
		{"IsNaN", "IsNaN reports whether f is an IEEE 754 “not-a-number” value.", "What does IsNaN report?", "whether f is an IEEE 754 “not-a-number” value"},
		{"Abs", "Abs computes the absolute value.", "", ""},
		{"Abs", "Absolutely returns nothing.", "", ""},
	} {
		q, a, start, ok := answerClause(c.name, c.sentence)
		if ok != (c.q != "") || q != c.q || a != c.a || (ok && !strings.HasPrefix(c.sentence[start:], a)) {
			t.Errorf("answerClause(%q) = %q, %q, %d, %v; want %q, %q", c.sentence, q, a, start, ok, c.q, c.a)
		}
	}
}

func fakePackages() []Package {
	var pkgs []Package
	for _, area := range []string{"crypto", "net", "image"} {
		for _, sub := range []string{"a", "b", "c", "d", "e"} {
			path := area + "/" + sub
			p := Package{Path: path, Name: sub, Area: area, Idents: map[string]string{"Do": KindFunc}}
			for k := range 6 {
				p.Sentences = append(p.Sentences, "Do handles the "+path+" case number "+string(rune('0'+k))+" well.")
			}
			p.Funcs = []Func{{Name: "Do", Doc: "Do returns the " + path + " result. It never fails."}}
			pkgs = append(pkgs, p)
		}
	}
	return pkgs
}

func TestSplitDisjointAndStratified(t *testing.T) {
	pkgs := fakePackages()
	pkgs = append(pkgs, Package{Path: "bytes", Area: "bytes"})
	train, dev, err := Split(pkgs, 3, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, p := range train {
		seen[p.Path] = "train"
	}
	devAreas := map[string]int{}
	for _, p := range dev {
		if seen[p.Path] != "" {
			t.Errorf("%s is in both splits", p.Path)
		}
		seen[p.Path] = "dev"
		devAreas[p.Area]++
	}
	if len(seen) != len(pkgs) {
		t.Errorf("the splits hold %d packages, want %d", len(seen), len(pkgs))
	}
	for _, area := range []string{"crypto", "net", "image"} {
		if devAreas[area] != 1 {
			t.Errorf("area %s has %d dev packages, want 1 of 5", area, devAreas[area])
		}
	}
	if seen["bytes"] != "train" {
		t.Error("a one-package area must stay in training")
	}
	// Another seed picks other packages somewhere.
	_, dev2, _ := Split(pkgs, 4, 0.2)
	if slices.EqualFunc(dev, dev2, func(a, b Package) bool { return a.Path == b.Path }) {
		t.Error("seeds 3 and 4 give the same dev packages")
	}
	if _, _, err := Split(pkgs, 1, 0); err == nil {
		t.Error("dev fraction 0 accepted")
	}
}

// The examples of each split come only from that split's packages.
func TestGeneratorsKeepSplits(t *testing.T) {
	train, dev, err := Split(fakePackages(), 1, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	devPaths := map[string]bool{}
	for _, p := range dev {
		devPaths[p.Path] = true
	}
	fromDev := func(text string) bool {
		for path := range devPaths {
			if strings.Contains(text, " "+path+" ") {
				return true
			}
		}
		return false
	}
	ctr, cdv, err := Classify(train, dev, []string{"crypto", "net", "image"}, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ctr) != 3*4*6 || len(cdv) != 3*6 {
		t.Errorf("classify: %d train and %d dev sentences, want 72 and 18", len(ctr), len(cdv))
	}
	for _, e := range ctr {
		if fromDev(e.Sentence) || !strings.Contains(e.Sentence, " "+e.Label+"/") {
			t.Errorf("training example %+v", e)
		}
	}
	for _, e := range cdv {
		if !fromDev(e.Sentence) {
			t.Errorf("dev example %q is not from a dev package", e.Sentence)
		}
	}
	ntr, ndv, err := NER(train, dev, NewIndex(train), 1000, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ntr {
		if fromDev(strings.Join(s.Words, " ")) || s.Tags[0] != "B-FUNC" {
			t.Errorf("ner training sentence %q %q", s.Words, s.Tags)
		}
	}
	if len(ndv) != 3*6 {
		t.Errorf("ner: %d dev sentences, want 18", len(ndv))
	}
	qtr, qdv, err := QA(train, dev, 1000, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if CountQuestions(qtr) != 12 || CountQuestions(qdv) != 3 {
		t.Errorf("qa: %d train and %d dev questions, want 12 and 3", CountQuestions(qtr), CountQuestions(qdv))
	}
	for _, p := range qdv {
		if !devPaths[p.Title] {
			t.Errorf("qa dev paragraph from %s", p.Title)
		}
	}
}

func TestGenerateGOROOT(t *testing.T) {
	root, pkgs := gorootPackages(t)
	if testing.Short() {
		t.Skip("reads GOROOT/src six times")
	}
	if len(pkgs) < 50 {
		t.Fatalf("only %d packages under %s", len(pkgs), root)
	}
	for _, task := range []string{"classify", "ner", "qa"} {
		t.Run(task, func(t *testing.T) {
			dir := t.TempDir()
			st, err := Generate(task, Options{Root: root, OutDir: filepath.Join(dir, "a"), Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			again, err := Generate(task, Options{Root: root, OutDir: filepath.Join(dir, "b"), Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, pair := range [][2]string{{st.Train, again.Train}, {st.Dev, again.Dev}} {
				a, _ := os.ReadFile(pair[0])
				b, _ := os.ReadFile(pair[1])
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("%s and %s differ (or are empty): not deterministic", pair[0], pair[1])
				}
			}
			if st.TrainPackages == 0 || st.DevPackages == 0 || st.DevExamples < 100 || st.TrainExamples < 2*st.DevExamples {
				t.Errorf("stats %+v", st)
			}
			switch task {
			case "classify":
				checkTable(t, st)
			case "ner":
				checkCoNLL(t, st)
			case "qa":
				checkSQuAD(t, st)
			}
		})
	}
}

func checkTable(t *testing.T, st Stats) {
	for _, path := range []string{st.Train, st.Dev} {
		ex, err := tasks.ReadTable(path, tasks.TableOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ls := tasks.BuildLabelSet(ex)
		if !slices.Equal(ls.Names(), DefaultAreas) {
			t.Errorf("%s: labels %q, want %q", path, ls.Names(), DefaultAreas)
		}
		count := map[string]int{}
		for _, e := range ex {
			count[e.Label]++
			if e.TextA == "" {
				t.Errorf("%s: empty sentence", e.ID)
			}
		}
		for l, n := range count {
			if n*len(DefaultAreas) > 2*len(ex) {
				t.Errorf("%s: label %s has %d of %d examples", path, l, n, len(ex))
			}
		}
	}
}

func checkCoNLL(t *testing.T, st Stats) {
	for _, path := range []string{st.Train, st.Dev} {
		ss, err := tasks.ReadCoNLL(path, tasks.CoNLLOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) == 0 {
			t.Fatalf("%s: no sentences", path)
		}
		if names := tasks.BuildTagSet(ss).Names(); !slices.Equal(names, []string{"B-FUNC", "B-PKG", "B-TYPE", "B-VALUE", "O"}) {
			t.Errorf("%s: tags %q", path, names)
		}
	}
}

func checkSQuAD(t *testing.T, st Stats) {
	for _, path := range []string{st.Train, st.Dev} {
		ex, stats, err := tasks.ReadSQuAD(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(stats.Mismatches) != 0 {
			t.Errorf("%s: %d answers do not match answer_start, first %s", path, len(stats.Mismatches), stats.Mismatches[0])
		}
		returns, reports := 0, 0
		for _, e := range ex {
			if len(e.Answers) != 1 || e.Answers[0].Text == "" {
				t.Fatalf("%s: question %s has answers %+v", path, e.ID, e.Answers)
			}
			if strings.HasSuffix(e.Question, "return?") {
				returns++
			} else {
				reports++
			}
		}
		if len(ex) != map[string]int{st.Train: st.TrainExamples, st.Dev: st.DevExamples}[path] || returns == 0 || reports == 0 {
			t.Errorf("%s: %d questions (%d return, %d report)", path, len(ex), returns, reports)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	if _, err := Generate("ner", Options{Root: filepath.Join(t.TempDir(), "missing"), OutDir: t.TempDir()}); err == nil {
		t.Error("a missing root accepted")
	}
	if _, err := Generate("pos", Options{Root: ".", OutDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "pos") {
		t.Errorf("unknown task: %v", err)
	}
	empty := t.TempDir()
	if _, err := Generate("qa", Options{Root: empty, OutDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no documented") {
		t.Errorf("empty tree: %v", err)
	}
}
