package corpus

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"simple", "It works. It really works! Does it? Yes.",
			[]string{"It works.", "It really works!", "Does it?", "Yes."}},
		{"lowercase after period does not split", "Use e.g. a map. or not", []string{"Use e.g. a map. or not"}},
		{"abbreviation", "Ask Dr. Smith about it. He knows.", []string{"Ask Dr. Smith about it.", "He knows."}},
		{"initials", "Written by J. R. Tolkien in 1937. Read it.", []string{"Written by J. R. Tolkien in 1937.", "Read it."}},
		{"U.S. style", "Made in the U.S. Army depots. Fine.", []string{"Made in the U.S. Army depots.", "Fine."}},
		{"digit and quote start", `It costs 5. 7 people paid. "Really?" "Yes."`,
			[]string{"It costs 5.", "7 people paid.", `"Really?"`, `"Yes."`}},
		{"closing quote and bracket", `He said "stop." Then (it ended.) Done.`,
			[]string{`He said "stop."`, "Then (it ended.)", "Done."}},
		{"no whitespace, no split", "Version 1.2.3 is out.Next", []string{"Version 1.2.3 is out.Next"}},
		{"whitespace collapsed", "  One\n two.\tThree  ", []string{"One two.", "Three"}},
		{"empty", "   ", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SplitSentences(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("SplitSentences(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func scanAll(t *testing.T, in string, opts ScanOptions) ([][]string, error) {
	t.Helper()
	s := NewScanner(strings.NewReader(in), "mem.txt", opts)
	var docs [][]string
	for s.Scan() {
		docs = append(docs, s.Document())
	}
	return docs, s.Err()
}

func TestScanner(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opts    ScanOptions
		want    [][]string
		wantErr string
	}{
		{"two documents", "a b.\nc d.\n\ne f.\n", ScanOptions{}, [][]string{{"a b.", "c d."}, {"e f."}}, ""},
		{"blank runs, spaces, no final newline", "\n\n a \n  \n\n\t\nb\nc", ScanOptions{}, [][]string{{"a"}, {"b", "c"}}, ""},
		{"CRLF", "a\r\nb\r\n\r\nc\r\n", ScanOptions{}, [][]string{{"a", "b"}, {"c"}}, ""},
		{"split mode", "First one. Second\none. Third.\n\nOther doc.\n", ScanOptions{SplitSentences: true},
			[][]string{{"First one.", "Second one.", "Third."}, {"Other doc."}}, ""},
		{"empty file", "", ScanOptions{}, nil, "corpus mem.txt: empty file"},
		{"only blank lines", "\n \n\t\n", ScanOptions{}, nil, "corpus mem.txt: empty file"},
		{"invalid UTF-8 names the line", "ok\n\nfine\nbad \xff byte\n", ScanOptions{}, [][]string{{"ok"}}, "corpus mem.txt:4: invalid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := scanAll(t, tc.in, tc.opts)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("documents %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReadFileAndWriteDocumentsRoundTrip(t *testing.T) {
	docs := [][]string{{"One.", "Two."}, {"Three."}}
	var buf bytes.Buffer
	if err := WriteDocuments(&buf, docs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "c.txt")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, docs) {
		t.Fatalf("round trip %q, want %q", got, docs)
	}
	if err := WriteDocuments(&buf, [][]string{{"a\nb"}}); err == nil || !strings.Contains(err.Error(), "document 0 sentence 0") {
		t.Errorf("newline in sentence: error %v", err)
	}
	if err := WriteDocuments(&buf, [][]string{{"x", " "}}); err == nil || !strings.Contains(err.Error(), "sentence 1 is blank") {
		t.Errorf("blank sentence: error %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.txt"), ScanOptions{}); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("missing file: error %v", err)
	}
}

// writeTree lays out a small fake source tree.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestBuildGoDocFakeTree(t *testing.T) {
	root := writeTree(t, map[string]string{
		"alpha/a.go": `// Package alpha does the first thing. It does it well.
//
//	code is dropped()
//
// # Heading dropped
//
// See [Beta] for more.
package alpha

// Beta is exported. It has docs.
func Beta() {}

// gamma is unexported. Only AllDecls sees it.
func gamma() {}
`,
		"alpha/a_test.go":    "// Package alpha test doc. Never read.\npackage alpha\n",
		"alpha/gen.go":       "//go:build ignore\n\n// Package main generates. Never read.\npackage main\n",
		"beta/b.go":          "// Package beta is one. It is two.\npackage beta\n",
		"beta/testdata/x.go": "// Package x is skipped. Really skipped.\npackage x\n",
		"gamma/g.go":         "// Package gamma has one sentence only.\npackage gamma\n",
		"delta/d.go":         "// Package delta is here. It is the held-out one.\npackage delta\n",
	})
	out := t.TempDir()
	st, err := BuildGoDoc(GoDocOptions{Root: root, OutDir: out, HeldOutEvery: 2})
	if err != nil {
		t.Fatal(err)
	}
	train, _ := os.ReadFile(filepath.Join(out, "train.txt"))
	held, _ := os.ReadFile(filepath.Join(out, "heldout.txt"))
	// Lexical order: alpha, beta, delta, gamma(skipped: one sentence).
	// Kept packages: alpha(1) beta(2: held out) delta(3).
	wantTrain := "Package alpha does the first thing.\nIt does it well.\nSee Beta for more.\nBeta is exported.\nIt has docs.\n\n" +
		"Package delta is here.\nIt is the held-out one.\n\n"
	wantHeld := "Package beta is one.\nIt is two.\n\n"
	if string(train) != wantTrain {
		t.Errorf("train.txt:\n%s\nwant:\n%s", train, wantTrain)
	}
	if string(held) != wantHeld {
		t.Errorf("heldout.txt:\n%s\nwant:\n%s", held, wantHeld)
	}
	want := GoDocStats{PackagesSeen: 4, TrainDocuments: 2, HeldOutDocuments: 1, TrainSentences: 7, HeldOutSentences: 2,
		TrainBytes: int64(len(wantTrain)), HeldOutBytes: int64(len(wantHeld))}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}

	// AllDecls adds the unexported comment; a byte cap stops the walk.
	out2 := t.TempDir()
	st, err = BuildGoDoc(GoDocOptions{Root: root, OutDir: out2, HeldOutEvery: -1, AllDecls: true, MaxBytes: 150})
	if err != nil {
		t.Fatal(err)
	}
	train, _ = os.ReadFile(filepath.Join(out2, "train.txt"))
	if !strings.Contains(string(train), "Only AllDecls sees it.") || !st.Truncated || st.TrainDocuments != 1 || len(train) > 150 {
		t.Errorf("AllDecls+cap: stats %+v, train.txt:\n%s", st, train)
	}
}

func TestBuildGoDocErrors(t *testing.T) {
	if _, err := BuildGoDoc(GoDocOptions{}); err == nil || !strings.Contains(err.Error(), "needs Root and OutDir") {
		t.Errorf("no options: %v", err)
	}
	root := writeTree(t, map[string]string{"x/readme.txt": "no go here"})
	if _, err := BuildGoDoc(GoDocOptions{Root: root, OutDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no documented Go packages under "+root) {
		t.Errorf("empty tree: %v", err)
	}
}

// TestBuildGoDocGOROOT builds the corpus from a small real subtree of GOROOT
// twice and checks the output is identical (deterministic) and readable.
func TestBuildGoDocGOROOT(t *testing.T) {
	src, err := GoRootSrc()
	if err != nil {
		t.Skip(err)
	}
	root := filepath.Join(src, "container")
	var outs [2][]byte
	for i := range outs {
		dir := t.TempDir()
		st, err := BuildGoDoc(GoDocOptions{Root: root, OutDir: dir, HeldOutEvery: -1})
		if err != nil {
			t.Fatal(err)
		}
		if st.TrainDocuments != 3 { // heap, list, ring
			t.Errorf("container/: %d documents, want 3", st.TrainDocuments)
		}
		outs[i], _ = os.ReadFile(filepath.Join(dir, "train.txt"))
		docs, err := ReadFile(filepath.Join(dir, "train.txt"), ScanOptions{})
		if err != nil || len(docs) != 3 {
			t.Fatalf("reading back: %d docs, %v", len(docs), err)
		}
		if !strings.HasPrefix(docs[0][0], "Package heap provides heap operations") {
			t.Errorf("first sentence %q", docs[0][0])
		}
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("two builds differ")
	}
}

// TestBuildGoDocFullGOROOT builds the whole demo corpus twice, checks the
// bytes are identical (packages with build variants once made go/doc pick
// arbitrary duplicates), and logs the corpus size.
func TestBuildGoDocFullGOROOT(t *testing.T) {
	if testing.Short() {
		t.Skip("walks all of GOROOT/src twice")
	}
	src, err := GoRootSrc()
	if err != nil {
		t.Skip(err)
	}
	var train [2][]byte
	for i := range train {
		out := t.TempDir()
		st, err := BuildGoDoc(GoDocOptions{Root: src, OutDir: out})
		if err != nil {
			t.Fatal(err)
		}
		if st.TrainDocuments < 100 || st.HeldOutDocuments == 0 {
			t.Errorf("suspiciously small corpus: %+v", st)
		}
		train[i], _ = os.ReadFile(filepath.Join(out, "train.txt"))
		if i == 0 {
			t.Logf("GOROOT demo corpus: %+v (%.2f MB train)", st, float64(st.TrainBytes)/1e6)
		}
	}
	if !bytes.Equal(train[0], train[1]) {
		t.Error("two builds of the GOROOT corpus differ")
	}
}
