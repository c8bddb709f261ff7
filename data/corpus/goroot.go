package corpus

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gorbert/gorbert/internal/atomicfile"
)

// GoDocOptions configure BuildGoDoc.
type GoDocOptions struct {
	// Root is the source tree to read, normally $(go env GOROOT)/src (see
	// GoRootSrc). Required.
	Root string
	// OutDir receives train.txt and heldout.txt. Required.
	OutDir string
	// HeldOutEvery sends every n-th package (counting kept packages in
	// lexical path order, starting with the n-th) to heldout.txt.
	// 0 means 20; negative means no held-out split.
	HeldOutEvery int
	// MaxBytes caps the size of train.txt: the walk stops before the first
	// document that would push it past the cap. 0 means no cap.
	MaxBytes int64
	// MinSentences skips packages whose documentation has fewer sentences
	// (next-sentence prediction needs at least two). 0 means 2.
	MinSentences int
	// AllDecls also takes the comments of unexported declarations
	// (go/doc's AllDecls mode), which roughly doubles the text: the runtime
	// and compiler explain themselves mostly in unexported code.
	AllDecls bool
}

// GoDocStats describe a built corpus.
type GoDocStats struct {
	PackagesSeen     int // directories with a parsable non-test Go package
	TrainDocuments   int
	HeldOutDocuments int
	TrainSentences   int
	HeldOutSentences int
	TrainBytes       int64
	HeldOutBytes     int64
	Truncated        bool // MaxBytes stopped the walk early
}

// GoRootSrc is $(go env GOROOT)/src, asking the go command so that the
// answer matches the toolchain on PATH.
func GoRootSrc() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("corpus: go env GOROOT: %w", err)
	}
	root := strings.TrimSpace(string(out))
	if root == "" {
		return "", fmt.Errorf("corpus: go env GOROOT printed nothing")
	}
	return filepath.Join(root, "src"), nil
}

// BuildGoDoc writes a corpus made of the documentation comments of the Go
// packages under opts.Root: one document per package, one sentence per
// line. The order is deterministic (lexical directory order, then go/doc's
// order within a package), so the same Go release gives the same bytes.
// Directories named testdata or vendor, or starting with "." or "_", are
// skipped, as are _test.go files and files that a linux/amd64 build
// would not compile (see buildContext).
func BuildGoDoc(opts GoDocOptions) (GoDocStats, error) {
	var st GoDocStats
	if opts.Root == "" || opts.OutDir == "" {
		return st, fmt.Errorf("corpus: BuildGoDoc needs Root and OutDir")
	}
	every := opts.HeldOutEvery
	if every == 0 {
		every = 20
	}
	minSent := opts.MinSentences
	if minSent == 0 {
		minSent = 2
	}
	var dirs []string
	err := filepath.WalkDir(opts.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != opts.Root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		dirs = append(dirs, path)
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("corpus: walking %s: %w", opts.Root, err)
	}
	sort.Strings(dirs) // WalkDir is lexical already; make it explicit

	var train, held bytes.Buffer
	kept := 0
	for _, dir := range dirs {
		sents, ok, err := packageSentences(opts.Root, dir, opts.AllDecls)
		if err != nil {
			return st, err
		}
		if !ok {
			continue
		}
		st.PackagesSeen++
		if len(sents) < minSent {
			continue
		}
		kept++
		var doc bytes.Buffer
		if err := WriteDocuments(&doc, [][]string{sents}); err != nil {
			return st, fmt.Errorf("corpus: package %s: %w", dir, err)
		}
		if every > 0 && kept%every == 0 {
			held.Write(doc.Bytes())
			st.HeldOutDocuments++
			st.HeldOutSentences += len(sents)
			continue
		}
		if opts.MaxBytes > 0 && int64(train.Len()+doc.Len()) > opts.MaxBytes {
			st.Truncated = true
			break
		}
		train.Write(doc.Bytes())
		st.TrainDocuments++
		st.TrainSentences += len(sents)
	}
	if st.TrainDocuments == 0 {
		return st, fmt.Errorf("corpus: no documented Go packages under %s", opts.Root)
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return st, fmt.Errorf("corpus: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(opts.OutDir, "train.txt"), train.Bytes()); err != nil {
		return st, fmt.Errorf("corpus: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(opts.OutDir, "heldout.txt"), held.Bytes()); err != nil {
		return st, fmt.Errorf("corpus: %w", err)
	}
	st.TrainBytes, st.HeldOutBytes = int64(train.Len()), int64(held.Len())
	return st, nil
}

// ReadPackageDoc parses the non-test Go files of one directory, as built for
// linux/amd64 (see buildContext), and returns go/doc's view of the package
// most of them belong to (ties go to the lexically first name, so the choice
// is deterministic), with import path relative to root. ok is false when the
// directory holds no Go package. A file that does not parse is skipped
// (GOROOT has deliberately broken files only under testdata, but a tree may
// have others).
func ReadPackageDoc(root, dir string, mode doc.Mode) (pkg *doc.Package, ok bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, fmt.Errorf("corpus: %w", err)
	}
	fset := token.NewFileSet()
	byPkg := map[string][]*ast.File{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if match, merr := buildContext.MatchFile(dir, name); merr != nil || !match {
			continue
		}
		f, perr := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if perr != nil {
			continue
		}
		byPkg[f.Name.Name] = append(byPkg[f.Name.Name], f)
	}
	best := ""
	for name, files := range byPkg {
		if best == "" || len(files) > len(byPkg[best]) || (len(files) == len(byPkg[best]) && name < best) {
			best = name
		}
	}
	if best == "" {
		return nil, false, nil
	}
	rel, _ := filepath.Rel(root, dir)
	pkg, err = doc.NewFromFiles(fset, byPkg[best], filepath.ToSlash(rel), mode)
	if err != nil {
		return nil, false, fmt.Errorf("corpus: package %s: %w", dir, err)
	}
	return pkg, true, nil
}

// packageSentences returns the sentences of a directory's package comment
// and its exported declarations' comments (all declarations' with allDecls).
func packageSentences(root, dir string, allDecls bool) (sents []string, ok bool, err error) {
	var mode doc.Mode
	if allDecls {
		mode = doc.AllDecls
	}
	pkg, ok, err := ReadPackageDoc(root, dir, mode)
	if !ok || err != nil {
		return nil, ok, err
	}
	p := pkg.Parser()
	seen := map[string]bool{} // the same comment can appear on several build variants
	add := func(text string) {
		if text == "" || seen[text] {
			return
		}
		seen[text] = true
		sents = append(sents, CommentSentences(p.Parse(text))...)
	}
	add(pkg.Doc)
	addValues := func(vs []*doc.Value) {
		for _, v := range vs {
			add(v.Doc)
		}
	}
	addFuncs := func(fs []*doc.Func) {
		for _, f := range fs {
			add(f.Doc)
		}
	}
	addValues(pkg.Consts)
	addValues(pkg.Vars)
	for _, t := range pkg.Types {
		add(t.Doc)
		addValues(t.Consts)
		addValues(t.Vars)
		addFuncs(t.Funcs)
		addFuncs(t.Methods)
	}
	addFuncs(pkg.Funcs)
	return sents, true, nil
}

// buildContext decides which files of a package are read. It is fixed to
// linux/amd64 with cgo, whatever the host, for two reasons: the corpus must
// be the same bytes on every machine, and a package with several build
// variants of one declaration (crypto's boring/notboring, encoding/json's
// GOEXPERIMENT twins) would otherwise hand go/doc duplicates, of which it
// keeps an arbitrary one. MatchFile also drops //go:build ignore files.
var buildContext = func() build.Context {
	c := build.Default
	c.GOOS, c.GOARCH, c.CgoEnabled = "linux", "amd64", true
	c.BuildTags = nil
	return c
}()

// CommentSentences flattens a parsed doc comment to sentences: paragraphs
// and list items are kept (links reduced to their text), headings and code
// blocks are dropped, since code is not prose.
func CommentSentences(d *comment.Doc) []string {
	var out []string
	var para func(blocks []comment.Block)
	para = func(blocks []comment.Block) {
		for _, b := range blocks {
			switch b := b.(type) {
			case *comment.Paragraph:
				out = append(out, SplitSentences(CommentText(b.Text))...)
			case *comment.List:
				for _, item := range b.Items {
					para(item.Content)
				}
			}
		}
	}
	para(d.Content)
	return out
}

// CommentText is the plain text of a comment's inline elements (links
// reduced to their text).
func CommentText(texts []comment.Text) string {
	var sb strings.Builder
	var walk func([]comment.Text)
	walk = func(ts []comment.Text) {
		for _, t := range ts {
			switch t := t.(type) {
			case comment.Plain:
				sb.WriteString(string(t))
			case comment.Italic:
				sb.WriteString(string(t))
			case *comment.Link:
				walk(t.Text)
			case *comment.DocLink:
				walk(t.Text)
			}
		}
	}
	walk(texts)
	return sb.String()
}
